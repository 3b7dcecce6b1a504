package dev.kiln.builder.recipe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How Dockerfile arguments are cut into words before variables are expanded: the keyword and its
 * {@code --flags}, whitespace-delimited lists, quote-aware words (quotes kept for the expansion
 * step to remove) and JSON arrays of strings (exec form).
 */
final class Words {
    private static final Pattern WHITESPACE = Pattern.compile("[\\t\\u000B\\f\\r ]+");

    /** Made on first use (an exec-form array): a mapper sets up locale data, ~50 ms of start-up. */
    private static final class Mapper {
        static final JsonMapper JSON = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    private Words() {
    }

    /** An instruction split into its keyword (as written), its raw flags and the rest, trimmed. */
    record Split(String keyword, List<String> flags, String rest) {
    }

    /** Go's unicode.IsSpace. */
    static boolean isSpace(int cp) {
        switch (cp) {
            case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0:
                return true;
            default:
                if (cp < 0x100) {
                    return false;
                }
                int type = Character.getType(cp);
                return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                        || type == Character.PARAGRAPH_SEPARATOR;
        }
    }

    /** Splits off the keyword, then the leading {@code --flag[=value]} words (quotes removed). */
    static Split splitCommand(String line) {
        String[] parts = WHITESPACE.split(line.strip(), 2);
        if (parts.length < 2) {
            return new Split(parts[0], List.of(), "");
        }
        List<String> flags = new ArrayList<>();
        String rest = extractFlags(parts[1], flags);
        return new Split(parts[0], List.copyOf(flags), rest.strip());
    }

    private static String extractFlags(String line, List<String> words) {
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean blankOk = false;
        char quote = 0;
        int pos = 0;
        while (pos <= line.length()) {
            if (pos == line.length()) {
                if (inWord && !word.toString().equals("--") && (blankOk || word.length() > 0)) {
                    words.add(word.toString());
                }
                return "";
            }
            char ch = line.charAt(pos);
            if (!inWord) {
                if (isSpace(ch)) {
                    pos++;
                    continue;
                }
                if (ch != '-' || pos + 1 == line.length() || line.charAt(pos + 1) != '-') {
                    return line.substring(pos);
                }
                inWord = true;
            }
            if (quote == 0) {
                if (isSpace(ch)) {
                    if (word.toString().equals("--")) {
                        return line.substring(pos);
                    }
                    if (blankOk || word.length() > 0) {
                        words.add(word.toString());
                    }
                    word.setLength(0);
                    blankOk = false;
                    inWord = false;
                    pos++;
                    continue;
                }
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    blankOk = true;
                    pos++;
                    continue;
                }
            } else if (ch == quote) {
                quote = 0;
                pos++;
                continue;
            }
            if (ch == '\\') {
                if (pos + 1 == line.length()) {
                    quote = 0;
                    pos++;
                    continue;
                }
                ch = line.charAt(++pos);
            }
            word.append(ch);
            pos++;
        }
        return "";
    }

    /** Splits at the first run of whitespace: {@code [first, rest]} or {@code [all]}. */
    static String[] splitFirst(String rest) {
        return WHITESPACE.split(rest, 2);
    }

    /** Splits on spaces and tabs ({@code parseStringsWhitespaceDelimited}); empty input gives none. */
    static List<String> whitespaceDelimited(String rest) {
        if (rest.isEmpty()) {
            return List.of();
        }
        return List.of(WHITESPACE.split(rest, -1));
    }

    /**
     * Splits into words at unquoted whitespace, keeping quotes and escapes in the words for the
     * expansion step ({@code parseWords}). The escape token outside quotes keeps the next character
     * with it; inside double quotes too; inside single quotes it is literal.
     */
    static List<String> quoteAware(String rest, char escape) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean blankOk = false;
        int quote = 0;
        int[] cps = rest.codePoints().toArray();
        for (int i = 0; i <= cps.length; i++) {
            if (i == cps.length) {
                if (inWord && (blankOk || word.length() > 0)) {
                    words.add(word.toString());
                }
                break;
            }
            int ch = cps[i];
            if (!inWord && quote == 0) {
                if (isSpace(ch)) {
                    continue;
                }
                inWord = true;
            }
            if (quote == 0) {
                if (isSpace(ch)) {
                    if (blankOk || word.length() > 0) {
                        words.add(word.toString());
                    }
                    word.setLength(0);
                    blankOk = false;
                    inWord = false;
                    continue;
                }
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    blankOk = true;
                } else if (ch == escape) {
                    if (i + 1 == cps.length) {
                        continue;
                    }
                    word.appendCodePoint(ch);
                    ch = cps[++i];
                }
                word.appendCodePoint(ch);
                continue;
            }
            if (ch == quote) {
                quote = 0;
            } else if (ch == escape && quote != '\'') {
                if (i + 1 == cps.length) {
                    quote = 0;
                    continue;
                }
                word.appendCodePoint(ch);
                ch = cps[++i];
            }
            word.appendCodePoint(ch);
        }
        return words;
    }

    /**
     * The words of a JSON array of strings, or null when {@code rest} is not a JSON array at all
     * (the caller falls back to shell form, as Docker does). A valid array holding anything other
     * than strings is an error.
     */
    static List<String> jsonArray(String rest) {
        String s = RecipeLines.leftTrim(rest);
        if (!s.startsWith("[")) {
            return null;
        }
        JsonNode node;
        try {
            node = Mapper.JSON.readTree(s);
        } catch (JsonProcessingException e) {
            return null;
        }
        if (node == null || !node.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                throw new IllegalArgumentException(
                        "when using JSON array syntax, arrays must be comprised of strings only");
            }
            out.add(element.textValue());
        }
        return out;
    }
}
