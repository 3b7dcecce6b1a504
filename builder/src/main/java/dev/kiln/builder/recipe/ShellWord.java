package dev.kiln.builder.recipe;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One run of the shell-word lexer behind {@link Variables}; not reusable, not thread-safe. */
final class ShellWord {
    private static final int EOF = -1;

    private final String source;
    private final int[] src;
    private final int escape;
    private final Map<String, String> env;
    private final boolean lenient;
    private final Set<String> unset = new LinkedHashSet<>();
    private int pos;
    private boolean rawEscapes;

    ShellWord(String source, char escape, Map<String, String> env, boolean lenient) {
        this.source = source;
        this.src = source.codePoints().toArray();
        this.escape = escape;
        this.env = env;
        this.lenient = lenient;
    }

    Variables.Expansion process() {
        try {
            Part p = stopOn(EOF, false);
            return new Variables.Expansion(p.word, p.words, unset);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("failed to process \"" + source + "\": " + e.getMessage(), e);
        }
    }

    private record Part(String word, List<String> words) {
    }

    private int peek() {
        return pos < src.length ? src[pos] : EOF;
    }

    private int next() {
        return pos < src.length ? src[pos++] : EOF;
    }

    private Part stopOn(int stop, boolean raw) {
        boolean saved = rawEscapes;
        rawEscapes = raw;
        try {
            StringBuilder result = new StringBuilder();
            WordSplitter words = new WordSplitter();
            while (peek() != EOF) {
                int ch = peek();
                if (stop != EOF && ch == stop) {
                    next();
                    return new Part(result.toString(), words.words());
                }
                if (ch == '\'' || ch == '"' || ch == '$') {
                    String tmp = ch == '\'' ? singleQuote() : ch == '"' ? doubleQuote() : dollar();
                    result.append(tmp);
                    if (ch == '$') {
                        words.addString(tmp);
                    } else {
                        words.addRawString(tmp);
                    }
                    continue;
                }
                ch = next();
                if (ch == escape) {
                    if (rawEscapes) {
                        words.addRawChar(ch);
                        result.appendCodePoint(ch);
                    }
                    ch = next();
                    if (ch == EOF) {
                        break;
                    }
                    words.addRawChar(ch);
                } else {
                    words.addChar(ch);
                }
                result.appendCodePoint(ch);
            }
            if (stop != EOF) {
                throw new IllegalArgumentException(
                        "unexpected end of statement while looking for matching " + Character.toString(stop));
            }
            return new Part(result.toString(), words.words());
        } finally {
            rawEscapes = saved;
        }
    }

    private String singleQuote() {
        StringBuilder result = new StringBuilder();
        next();
        while (true) {
            int ch = next();
            if (ch == EOF) {
                throw new IllegalArgumentException("unexpected end of statement while looking for matching single-quote");
            }
            if (ch == '\'') {
                return result.toString();
            }
            result.appendCodePoint(ch);
        }
    }

    private String doubleQuote() {
        StringBuilder result = new StringBuilder();
        next();
        while (true) {
            int ch = peek();
            if (ch == EOF) {
                throw new IllegalArgumentException("unexpected end of statement while looking for matching double-quote");
            }
            if (ch == '"') {
                next();
                return result.toString();
            }
            if (ch == '$') {
                result.append(dollar());
                continue;
            }
            ch = next();
            if (ch == escape) {
                if (rawEscapes) {
                    result.appendCodePoint(ch);
                }
                int after = peek();
                if (after == EOF) {
                    continue;
                }
                if (after == '"' || after == '$' || after == escape) {
                    ch = next();
                }
            }
            result.appendCodePoint(ch);
        }
    }

    private String dollar() {
        next();
        if (peek() != '{') {
            String name = name();
            return name.isEmpty() ? "$" : lookup(name, "");
        }
        next();
        int first = peek();
        if (first == EOF) {
            throw new IllegalArgumentException("syntax error: missing '}'");
        }
        if (first == '{' || first == '}' || first == ':') {
            throw new IllegalArgumentException("syntax error: bad substitution");
        }
        String name = name();
        int ch = next();
        switch (ch) {
            case '}':
                return lookup(name, "");
            case ':': {
                int modifier = next();
                return modifier(name, modifier, ":" + (modifier == EOF ? "" : Character.toString(modifier)), true);
            }
            case '+', '-', '?', '#', '%':
                return modifier(name, ch, Character.toString(ch), false);
            case '/':
                return replace(name);
            case EOF:
                throw new IllegalArgumentException("syntax error: missing '}'");
            default:
                throw new IllegalArgumentException("unsupported modifier (" + Character.toString(ch) + ") in substitution");
        }
    }

    private String modifier(String name, int ch, String chs, boolean nullIsUnset) {
        boolean raw = ch == '#' || ch == '%';
        if (nullIsUnset && raw) {
            throw new IllegalArgumentException("unsupported modifier (" + chs + ") in substitution");
        }
        String word = until('}', raw, "syntax error: missing '}'");
        boolean set = env.containsKey(name);
        String value = lookup(name, null);
        boolean empty = !set || value.isEmpty();
        switch (ch) {
            case '-':
                return !set || (nullIsUnset && empty) ? word : value;
            case '+':
                return !set || (nullIsUnset && empty) ? "" : word;
            case '?':
                if (!set && !lenient) {
                    throw new IllegalArgumentException(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
                }
                if (set && nullIsUnset && value.isEmpty() && !lenient) {
                    throw new IllegalArgumentException(name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
                }
                return set ? value : "";
            case '%', '#': {
                boolean greedy = !word.isEmpty() && word.codePointAt(0) == ch;
                String pattern = greedy ? word.substring(Character.charCount(ch)) : word;
                String v = set ? value : "";
                return ch == '%' ? ShellPattern.trimSuffix(pattern, v, greedy) : ShellPattern.trimPrefix(pattern, v, greedy);
            }
            default:
                throw new IllegalArgumentException("unsupported modifier (" + chs + ") in substitution");
        }
    }

    private String replace(String name) {
        boolean all = peek() == '/';
        if (all) {
            next();
        }
        String pattern = until('/', true, "syntax error: missing '/' in ${}");
        String replacement = until('}', true, "syntax error: missing '}'");
        String value = lookup(name, "");
        Pattern re = ShellPattern.regex(pattern, true, false);
        Matcher m = re.matcher(value);
        String literal = Matcher.quoteReplacement(replacement);
        return all ? m.replaceAll(literal) : m.replaceFirst(literal);
    }

    private String until(int stop, boolean raw, String atEnd) {
        try {
            return stopOn(stop, raw).word;
        } catch (IllegalArgumentException e) {
            if (peek() == EOF) {
                throw new IllegalArgumentException(atEnd, e);
            }
            throw e;
        }
    }

    private String lookup(String name, String ifUnset) {
        String value = env.get(name);
        if (value == null && !env.containsKey(name)) {
            unset.add(name);
            return ifUnset;
        }
        return value == null ? "" : value;
    }

    private String name() {
        StringBuilder name = new StringBuilder();
        while (peek() != EOF) {
            int ch = peek();
            if (name.length() == 0 && Character.isDigit(ch)) {
                while (peek() != EOF && Character.isDigit(peek())) {
                    name.appendCodePoint(next());
                }
                return name.toString();
            }
            if (name.length() == 0 && "@*#?-$!0".indexOf(ch) >= 0) {
                return Character.toString(next());
            }
            if (!Character.isLetter(ch) && !Character.isDigit(ch) && ch != '_') {
                break;
            }
            name.appendCodePoint(next());
        }
        return name.toString();
    }
}
