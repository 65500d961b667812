package dev.lbaas.amphora.proxy.http.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class HeadScannerTest {

    private static final String BODY = "5\r\n\r\n\n x";
    private static final String REQUEST_LINE = "the request line must be: method, a space, target, a space, version";
    private static final String CONTROL = "the request line has a control character";
    private static final String FOLD = "obsolete line folding is not accepted: a header line starts with whitespace";
    private static final String BARE_CR = "a CR must be followed by LF";
    private static final String LENGTH = "Content-Length must be digits, with nothing but spaces around them";
    private static final String CODING = "Transfer-Encoding must be visible characters, with nothing but spaces around them";

    private static int scan(String bytes, HeadScanner scanner, boolean byteAtATime) {
        return ScannerFeed.feed(bytes, scanner::scan, byteAtATime);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /p?q=1 HTTP/1.1\r\nHost: a\r\nContent-Length:  12 \r\nX-Tab: a\tb\r\n\r\n",
        "POST / HTTP/1.1\r\ncontent-length:5\r\nTransfer-Encoding:  chunked \r\n\r\n",
        "GET / HTTP/1.0\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Lengthy: a\tb\r\nX-Transfer-Encoding: \t\r\n\r\n",
    })
    void aWellFormedHeadEndsAtItsEmptyLineWhicheverWayItsBytesCome(String head) {
        assertThat(scan(head + BODY, new HeadScanner(), false)).isEqualTo(head.length());
        assertThat(scan(head + BODY, new HeadScanner(), true)).isEqualTo(head.length());
    }

    static Stream<Arguments> refusedHeads() {
        return Stream.of(
                Arguments.of("GET\t/ HTTP/1.1\r\n\r\n", REQUEST_LINE),
                Arguments.of("GET  / HTTP/1.1\r\n\r\n", REQUEST_LINE),
                Arguments.of("GET / HTTP/1.1 \r\n\r\n", REQUEST_LINE),
                Arguments.of("GET /\r\n\r\n", REQUEST_LINE),
                Arguments.of(" GET / HTTP/1.1\r\n\r\n", "the request line starts with whitespace"),
                Arguments.of("GET \u000b/ HTTP/1.1\r\n\r\n", CONTROL),
                Arguments.of("\u0000GET / HTTP/1.1\r\n\r\n", CONTROL),
                Arguments.of("GET /\u007f HTTP/1.1\r\n\r\n", CONTROL),
                Arguments.of("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", FOLD),
                Arguments.of("GET / HTTP/1.1\r\n\tX: a\r\n\r\n", FOLD),
                Arguments.of("GET / HTTP/1.1\rX: a\r\n\r\n", BARE_CR),
                Arguments.of("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", BARE_CR),
                Arguments.of("GET / HTTP/1.1\r\nContent-Length: 5\t\r\n\r\n", LENGTH),
                Arguments.of("GET / HTTP/1.1\r\nCONTENT-LENGTH: 0x5\r\n\r\n", LENGTH),
                Arguments.of("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\t\r\n\r\n", CODING),
                Arguments.of("GET / HTTP/1.1\r\ntransfer-encoding:\u000bchunked\r\n\r\n", CODING));
    }

    @ParameterizedTest
    @MethodSource("refusedHeads")
    void aHeadThatBreaksARuleIsRefusedWithTheRuleWhicheverWayItsBytesCome(String head, String rule) {
        HeadScanner whole = new HeadScanner();
        assertThat(scan(head, whole, false)).isEqualTo(-1);
        assertThat(whole.violation()).isEqualTo(rule);
        HeadScanner bytes = new HeadScanner();
        assertThat(scan(head, bytes, true)).isEqualTo(-1);
        assertThat(bytes.violation()).isEqualTo(rule);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", "GET\t/ HTTP/1.1\r\n\r\n"})
    void aResetScannerReadsTheNextHeadAfresh(String refused) {
        HeadScanner scanner = new HeadScanner();
        assertThat(scan(refused, scanner, false)).isEqualTo(-1);
        scanner.reset();
        assertThat(scan("GET / HTTP/1.1\r\n\r\n", scanner, false)).isEqualTo(18);
        assertThat(scanner.violation()).isNull();
    }
}
