package io.wsgate.inspect;

import io.wsgate.config.RouteConfig.SanitizeMode;
import org.owasp.html.HtmlPolicyBuilder;
import org.owasp.html.HtmlSanitizer;
import org.owasp.html.HtmlStreamEventReceiver;
import org.owasp.html.PolicyFactory;

import java.util.List;

/**
 * The two sanitize modes, both on the OWASP sanitizer. {@code text}: a policy allowing no element drops
 * tags (and the contents of script, style and the like); the text it hands on is already entity-decoded;
 * any {@code <}/{@code >} left is deleted. Nothing is HTML-escaped. {@code basic_html}: safe formatting
 * and links, escaped HTML out.
 */
public final class Sanitizer {
    /** Longest field value the sanitizer runs on; longer values are refused, never truncated. */
    public static final int MAX_INPUT = 65536;

    private static final PolicyFactory NO_ELEMENTS = new HtmlPolicyBuilder().toFactory();

    private static final PolicyFactory BASIC_HTML = new HtmlPolicyBuilder()
            .allowCommonInlineFormattingElements()
            .allowCommonBlockElements()
            .allowElements("br", "code", "pre", "blockquote", "ul", "ol", "li")
            .allowElements(Sanitizer::linkRel, "a")
            .allowAttributes("href").onElements("a")
            .allowStandardUrlProtocols()
            .toFactory();

    /**
     * Links get exactly {@code rel="nofollow noopener"} (requireRelsOnLinks orders its set unpredictably);
     * a link whose href was refused is dropped, keeping its text.
     */
    private static String linkRel(String element, List<String> attrs) {
        if (!attrs.contains("href")) {
            return null;
        }
        for (int i = 0; i < attrs.size(); i += 2) {
            if ("rel".equals(attrs.get(i))) {
                attrs.subList(i, i + 2).clear();
                i -= 2;
            }
        }
        attrs.add("rel");
        attrs.add("nofollow noopener");
        return element;
    }

    private Sanitizer() {
    }

    /** True when the value holds nothing a sanitizer would change. */
    public static boolean isPlain(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == '<' || c == '>' || c == '&') {
                return false;
            }
        }
        return true;
    }

    public static String sanitize(SanitizeMode mode, String value) {
        if (isPlain(value)) {
            return value;
        }
        return mode == SanitizeMode.BASIC_HTML ? BASIC_HTML.sanitize(value) : text(value);
    }

    static String text(String value) {
        StringBuilder out = new StringBuilder(value.length());
        HtmlSanitizer.sanitize(value, NO_ELEMENTS.apply(new TextOnly(out)));
        int w = 0;
        for (int i = 0; i < out.length(); i++) {
            char c = out.charAt(i);
            if (c != '<' && c != '>') {
                out.setCharAt(w++, c);
            }
        }
        out.setLength(w);
        return out.toString();
    }

    /** Receives the policy's output and keeps only the (decoded) text. */
    private static final class TextOnly implements HtmlStreamEventReceiver {
        private final StringBuilder out;

        TextOnly(StringBuilder out) {
            this.out = out;
        }

        @Override
        public void openDocument() {
        }

        @Override
        public void closeDocument() {
        }

        @Override
        public void openTag(String elementName, List<String> attrs) {
        }

        @Override
        public void closeTag(String elementName) {
        }

        @Override
        public void text(String text) {
            out.append(text);
        }
    }
}
