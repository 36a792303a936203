package dev.sekisho.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sekisho.app.AdminToken;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** A small client of the admin API for the CLI. Failures are {@link AdminException} with the server's message. */
final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String baseUrl;
    private final Path tokenFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AdminClient(String baseUrl, Path tokenFile) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.tokenFile = tokenFile;
    }

    static final class AdminException extends Exception {
        private final int status;

        AdminException(String message) {
            this(message, 0);
        }

        AdminException(String message, int status) {
            super(message);
            this.status = status;
        }

        /** The CLI's exit code: 2 when the server found the request itself invalid, 1 otherwise. */
        int exitCode() {
            return status == 400 || status == 422 ? 2 : 1;
        }
    }

    JsonNode get(String path) throws AdminException {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    JsonNode post(String path, Object body) throws AdminException {
        try {
            return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        } catch (IOException e) {
            throw new AdminException("cannot encode request: " + e.getMessage());
        }
    }

    JsonNode delete(String path) throws AdminException {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    private JsonNode send(HttpRequest.Builder request) throws AdminException {
        String token;
        try {
            token = AdminToken.read(tokenFile);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage();
            throw new AdminException("cannot read the admin token " + tokenFile + " (" + why
                    + "); give --data-dir or --token-file of the running server");
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AdminException("cannot reach the server at " + baseUrl + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException("interrupted");
        }
        JsonNode body;
        try {
            body = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AdminException("the server answered " + response.statusCode() + " with something that is not JSON");
        }
        if (response.statusCode() >= 300) {
            String message = body.has("error") ? body.get("error").asText() : response.body();
            throw new AdminException("the server refused (" + response.statusCode() + "): " + message, response.statusCode());
        }
        return body;
    }
}
