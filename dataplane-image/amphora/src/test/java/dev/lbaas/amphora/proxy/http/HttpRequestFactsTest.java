package dev.lbaas.amphora.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** What L7 rules see of request heads the amphora admitted, in every request-target form. */
class HttpRequestFactsTest {

    private static HttpRequestFacts facts(HttpVersion version, String target, String host, String... headers) {
        HttpRequest request = new DefaultHttpRequest(version, HttpMethod.GET, target);
        if (host != null) {
            request.headers().set("Host", host);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        return new HttpRequestFacts(request, null);
    }

    @Test
    void theHostIsTheHostHeaderWithoutItsPort() {
        assertThat(facts(HttpVersion.HTTP_1_1, "/", "www.example.com:8080").host()).isEqualTo("www.example.com");
        assertThat(facts(HttpVersion.HTTP_1_1, "/", "[2001:db8::1]:443").host()).isEqualTo("[2001:db8::1]");
        assertThat(facts(HttpVersion.HTTP_1_1, "/", "[2001:db8::1]").host()).isEqualTo("[2001:db8::1]");
        assertThat(facts(HttpVersion.HTTP_1_0, "http://legacy.example.com:81/a", null).host())
                .as("HTTP/1.0 without Host: the absolute target's").isEqualTo("legacy.example.com");
        assertThat(facts(HttpVersion.HTTP_1_0, "/a", null).host()).isNull();
    }

    @Test
    void thePathIsTheTargetsPathWithoutItsQuery() {
        assertThat(facts(HttpVersion.HTTP_1_1, "/a/b.jpg?size=2#x", "h").path()).isEqualTo("/a/b.jpg");
        assertThat(facts(HttpVersion.HTTP_1_1, "http://h/a/b?q", "h").path()).isEqualTo("/a/b");
        assertThat(facts(HttpVersion.HTTP_1_1, "http://h?q", "h").path()).isEqualTo("/");
        assertThat(facts(HttpVersion.HTTP_1_1, "*", "h").path()).isEqualTo("*");
        assertThat(facts(HttpVersion.HTTP_1_1, "http://h/a/b?q=1#f", "h").pathAndQuery()).isEqualTo("/a/b?q=1");
        assertThat(facts(HttpVersion.HTTP_1_1, "http://h?q=1", "h").pathAndQuery()).isEqualTo("/?q=1");
        assertThat(facts(HttpVersion.HTTP_1_1, "/a?q=1", "h").pathAndQuery()).isEqualTo("/a?q=1");
    }

    @Test
    void headersAndCookiesAreReadAsSent() {
        HttpRequestFacts facts = facts(HttpVersion.HTTP_1_1, "/", "h", "x-version", "2", "X-Version", "3",
                "Cookie", "a=1; beta=\"on\"", "Cookie", "c=3");
        assertThat(facts.header("X-VERSION")).isEqualTo("2");
        assertThat(facts.header("X-Other")).isNull();
        assertThat(facts.cookie("beta")).isEqualTo("on");
        assertThat(facts.cookie("c")).isEqualTo("3");
        assertThat(facts.cookie("d")).isNull();
        assertThat(facts.clientCertificate()).isFalse();
        assertThat(facts.subjectField("CN")).isNull();
    }

    @Test
    void aPrefixRedirectPutsOneSlashBetween() {
        assertThat(L7Routing.prefixed("https://a.example.com/", "/x?y")).isEqualTo("https://a.example.com/x?y");
        assertThat(L7Routing.prefixed("https://a.example.com", "/x")).isEqualTo("https://a.example.com/x");
        assertThat(L7Routing.prefixed("https://a.example.com/v2", "/x")).isEqualTo("https://a.example.com/v2/x");
        assertThat(L7Routing.prefixed("https://a.example.com", "*")).isEqualTo("https://a.example.com/");
    }
}
