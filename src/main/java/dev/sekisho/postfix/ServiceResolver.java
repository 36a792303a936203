package dev.sekisho.postfix;

import java.util.Objects;

/**
 * Chooses the engine service (mx, submission, ...) a request is judged by. Called for every
 * request; must be quick and must not throw.
 */
@FunctionalInterface
public interface ServiceResolver {

    String serviceFor(PolicyRequest request);

    /** Every request on this listener belongs to one service, whatever policy_context says. */
    static ServiceResolver fixed(String service) {
        requireName(service);
        return request -> service;
    }

    /**
     * The request's policy_context (Postfix 3.1+: {@code check_policy_service { inet:host:port,
     * policy_context=submission }}) names the service; without one, the default service.
     */
    static ServiceResolver policyContextOr(String defaultService) {
        requireName(defaultService);
        return request -> {
            String context = request.policyContext();
            return context.isEmpty() ? defaultService : context;
        };
    }

    /** A fixed service when one is configured (non-null), else {@link #policyContextOr}. */
    static ServiceResolver of(String fixedServiceOrNull, String defaultService) {
        return fixedServiceOrNull != null ? fixed(fixedServiceOrNull) : policyContextOr(defaultService);
    }

    private static void requireName(String service) {
        Objects.requireNonNull(service, "service");
        if (service.isBlank()) throw new IllegalArgumentException("service name must not be blank");
    }
}
