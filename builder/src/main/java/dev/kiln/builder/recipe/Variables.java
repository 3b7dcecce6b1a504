package dev.kiln.builder.recipe;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Dockerfile variable expansion, with the word rules of BuildKit's shell lexer: {@code $NAME},
 * {@code ${NAME}}, {@code ${NAME:-word}} {@code ${NAME-word}} {@code ${NAME:+word}}
 * {@code ${NAME+word}} {@code ${NAME:?msg}} {@code ${NAME?msg}}, {@code ${NAME#pat}} {@code ##}
 * {@code %} {@code %%}, {@code ${NAME/pat/repl}} {@code //}. Single quotes are literal; inside
 * double quotes the escape token escapes only {@code "}, {@code $} and itself; outside quotes it
 * escapes any character and is dropped (so {@code \$X} is a literal {@code $X}). Quotes are
 * removed. An unset variable expands to the empty string.
 *
 * <p>The environment is a plain map: a name is "set" when the map contains it, even with an empty
 * value. Errors are {@link IllegalArgumentException}s with Docker's wording; the recipe parser
 * turns them into {@link RecipeException}s with the file and line.
 */
public final class Variables {
    private final char escapeToken;

    /** An expansion engine for the given escape token ({@code \} or {@code `}). */
    public Variables(char escapeToken) {
        if (escapeToken != '\\' && escapeToken != '`') {
            throw new IllegalArgumentException("escape token must be \\ or `, not " + escapeToken);
        }
        this.escapeToken = escapeToken;
    }

    /** The result of one expansion: the word, the same split at unquoted whitespace, unset names used. */
    public record Expansion(String value, List<String> words, Set<String> unset) {
        public Expansion {
            Objects.requireNonNull(value, "value");
            words = List.copyOf(words);
            unset = Set.copyOf(unset);
        }
    }

    public char escapeToken() {
        return escapeToken;
    }

    /** Expands one word (Docker's ProcessWord): whitespace inside the result is kept. */
    public String expand(String word, Map<String, String> env) {
        return process(word, env, false).value();
    }

    /** Expands and splits into words at unquoted whitespace (Docker's ProcessWords, used by EXPOSE). */
    public List<String> expandWords(String word, Map<String, String> env) {
        return process(word, env, false).words();
    }

    /** Expands, reporting both forms and the names that were looked up but not set. */
    public Expansion process(String word, Map<String, String> env) {
        return process(word, env, false);
    }

    /**
     * With {@code lenient}, {@code ${NAME?msg}} and {@code ${NAME:?msg}} do not fail: the parser
     * uses this while the base image's environment is still unknown.
     */
    Expansion process(String word, Map<String, String> env, boolean lenient) {
        Objects.requireNonNull(word, "word");
        Objects.requireNonNull(env, "env");
        return new ShellWord(word, escapeToken, env, lenient).process();
    }
}
