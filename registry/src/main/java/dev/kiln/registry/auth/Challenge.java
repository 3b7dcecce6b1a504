package dev.kiln.registry.auth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One authentication challenge of a {@code WWW-Authenticate} header (RFC 7235): a scheme such as
 * {@code Bearer} or {@code Basic} and its parameters ({@code realm}, {@code service}, {@code scope},
 * ...). Parameter names are lower-cased; values are unquoted. A header may hold several challenges,
 * and quoted values may hold commas.
 */
public record Challenge(String scheme, Map<String, String> params) {
    public Challenge {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    public boolean isBearer() {
        return "bearer".equalsIgnoreCase(scheme);
    }

    public boolean isBasic() {
        return "basic".equalsIgnoreCase(scheme);
    }

    public String param(String name) {
        return params.get(name.toLowerCase(Locale.ROOT));
    }

    public String realm() {
        return param("realm");
    }

    public String service() {
        return param("service");
    }

    /** The scopes the challenge names (space-separated in one {@code scope} parameter). */
    public List<String> scopes() {
        String s = param("scope");
        if (s == null || s.isBlank()) {
            return List.of();
        }
        return List.of(s.trim().split("\\s+"));
    }

    /** Parses every challenge of every given header value. Unparseable text is skipped. */
    public static List<Challenge> parseAll(List<String> headerValues) {
        List<Challenge> out = new ArrayList<>();
        for (String v : headerValues) {
            out.addAll(parse(v));
        }
        return out;
    }

    /** Parses the challenges of one header value. */
    public static List<Challenge> parse(String header) {
        List<Challenge> out = new ArrayList<>();
        if (header == null) {
            return out;
        }
        Parser p = new Parser(header);
        while (true) {
            p.skipSeparators();
            if (p.atEnd()) {
                return out;
            }
            String scheme = p.token();
            if (scheme.isEmpty()) {
                p.pos++; // stray character: skip it
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>();
            p.skipSpaces();
            while (!p.atEnd()) {
                int mark = p.pos;
                p.skipSeparators();
                String name = p.token();
                p.skipSpaces();
                if (name.isEmpty() || !p.peek('=')) {
                    if (!name.isEmpty() && params.isEmpty() && p.pos == p.text.length()) {
                        params.put("token68", name);
                        break; // consumed: not the scheme of another challenge
                    }
                    p.pos = mark;
                    break; // the next challenge begins here
                }
                p.pos++; // '='
                if (p.peek('=')) { // token68 with padding, such as Negotiate abc==
                    int pad = 1;
                    while (p.peek('=')) {
                        p.pos++;
                        pad++;
                    }
                    params.put("token68", name + "=".repeat(pad));
                    break;
                }
                p.skipSpaces();
                String value = p.peek('"') ? p.quoted() : p.token();
                params.put(name.toLowerCase(Locale.ROOT), value);
                p.skipSpaces();
                if (!p.peek(',')) {
                    break;
                }
            }
            out.add(new Challenge(scheme, params));
        }
    }

    private static final class Parser {
        final String text;
        int pos;

        Parser(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return pos >= text.length();
        }

        boolean peek(char c) {
            return pos < text.length() && text.charAt(pos) == c;
        }

        void skipSpaces() {
            while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
                pos++;
            }
        }

        void skipSeparators() {
            while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t' || text.charAt(pos) == ',')) {
                pos++;
            }
        }

        String token() {
            int start = pos;
            while (pos < text.length() && isTokenChar(text.charAt(pos))) {
                pos++;
            }
            return text.substring(start, pos);
        }

        String quoted() {
            StringBuilder b = new StringBuilder();
            pos++; // opening quote
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == '\\' && pos < text.length()) {
                    b.append(text.charAt(pos++));
                } else if (c == '"') {
                    return b.toString();
                } else {
                    b.append(c);
                }
            }
            return b.toString(); // unterminated: take what there is
        }

        static boolean isTokenChar(char c) {
            return c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={} \t".indexOf(c) < 0
                    || c == '/' || c == ':'; // lenient: unquoted realms with a URL
        }
    }

    @Override
    public String toString() {
        return scheme + " " + params;
    }
}
