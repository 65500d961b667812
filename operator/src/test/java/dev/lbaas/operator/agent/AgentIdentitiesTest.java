package dev.lbaas.operator.agent;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbaas.operator.pki.CertificateAuthority;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentIdentitiesTest {

    private final CertificateAuthority authority = CertificateAuthority.create("test");
    private final AgentIdentities identities = new AgentIdentities();

    @Test
    void anAgentMustPresentTheCertificateOfTheAmphoraExpectedAtItsAddress() throws Exception {
        X509Certificate first = certificate("amphora-1");
        X509Certificate second = certificate("amphora-2");
        identities.expect(URI.create("https://10.254.1.7:9443"), "amphora-1");

        assertThatCode(() -> identities.checkIdentity(first, "10.254.1.7", 9443)).doesNotThrowAnyException();
        assertThatThrownBy(() -> identities.checkIdentity(second, "10.254.1.7", 9443))
                .isInstanceOf(CertificateException.class)
                .hasMessage("the agent at 10.254.1.7:9443 presented a certificate for [amphora-2], not for amphora "
                        + "amphora-1");
        assertThatThrownBy(() -> identities.checkIdentity(first, "10.254.1.8", 9443))
                .hasMessage("no amphora is expected at 10.254.1.8:9443");
    }

    @Test
    void aReplacementTakesTheAddressAndTheOldAmphoraCannotTakeItBack() throws Exception {
        URI address = URI.create("https://[2001:db8::7]:9443");
        identities.expect(address, "amphora-1");
        identities.expect(address, "amphora-2");
        identities.forget(address, "amphora-1");

        assertThatCode(() -> identities.checkIdentity(certificate("amphora-2"), "2001:db8::7", 9443))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> identities.checkIdentity(certificate("amphora-1"), "2001:db8::7", 9443))
                .isInstanceOf(CertificateException.class);
        identities.forget(address, "amphora-2");
        assertThatThrownBy(() -> identities.checkIdentity(certificate("amphora-2"), "2001:db8::7", 9443))
                .hasMessage("no amphora is expected at 2001:db8::7:9443");
    }

    private X509Certificate certificate(String amphoraId) throws Exception {
        String pem = authority.issue(amphoraId, List.of(), List.of(amphoraId)).certificatePem();
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }
}
