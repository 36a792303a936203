package dev.sekisho.postfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServiceResolverTest {

    private static PolicyRequest request(String extra) throws PolicyProtocolException {
        return PolicyRequest.parse(PolicyRequestTest.minimal("RCPT", "192.0.2.1") + extra);
    }

    @Test
    void fixedServiceIgnoresPolicyContext() throws Exception {
        ServiceResolver resolver = ServiceResolver.of("submission", "mx");

        assertThat(resolver.serviceFor(request("policy_context=mx\n"))).isEqualTo("submission");
        assertThat(resolver.serviceFor(request(""))).isEqualTo("submission");
    }

    @Test
    void policyContextNamesTheServiceElseTheDefault() throws Exception {
        ServiceResolver resolver = ServiceResolver.of(null, "mx");

        assertThat(resolver.serviceFor(request("policy_context=submission\n"))).isEqualTo("submission");
        assertThat(resolver.serviceFor(request("policy_context=\n"))).isEqualTo("mx");
        assertThat(resolver.serviceFor(request(""))).isEqualTo("mx");
    }

    @Test
    void blankServiceNamesAreRefused() {
        assertThatThrownBy(() -> ServiceResolver.fixed(" ")).hasMessageContaining("blank");
        assertThatThrownBy(() -> ServiceResolver.policyContextOr("")).hasMessageContaining("blank");
    }
}
