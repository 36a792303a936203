package dev.sekisho.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The admin API's bearer token: created at first start in the data directory, readable only by
 * the owner, so that local tools (the CLI) can use it and nobody else can.
 */
public final class AdminToken {
    public static final String FILE_NAME = "admin-token";

    private AdminToken() {
    }

    public static String loadOrCreate(Path dataDir) {
        return loadOrCreate(dataDir, FILE_NAME);
    }

    /** The same for another secret of the data directory (the Dovecot auth policy key). */
    public static String loadOrCreate(Path dataDir, String fileName) {
        Path file = dataDir.resolve(fileName);
        try {
            if (Files.exists(file)) return read(file);
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String token = HexFormat.of().formatHex(random);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, token + "\n", StandardCharsets.US_ASCII);
                return token;
            } catch (FileAlreadyExistsException raced) {
                return read(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + fileName + " in " + dataDir, e);
        }
    }

    public static String read(Path file) throws IOException {
        String token = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (token.isEmpty()) throw new IOException(file + " is empty");
        return token;
    }
}
