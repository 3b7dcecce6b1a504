package dev.kiln.builder.recipe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * COPY and ADD: sources and destination (JSON array or whitespace-separated), flags, variables
 * expanded in the sources, destination, {@code --chown}, {@code --chmod} and ADD's
 * {@code --checksum}; {@code --from} must be literal.
 */
final class CopyParser {
    private static final Pattern HEREDOC = Pattern.compile("^(\\d*)<<(-?)([^<]*)$");
    private static final Set<String> COPY_STRINGS = Set.of("chown", "chmod", "from", "exclude");
    private static final Set<String> COPY_BOOLS = Set.of("link", "parents");
    private static final Set<String> ADD_STRINGS = Set.of("chown", "chmod", "checksum", "exclude");
    private static final Set<String> ADD_BOOLS = Set.of("link", "keep-git-dir", "unpack", "parents");

    private CopyParser() {
    }

    static Instruction copy(LogicalLine l, Words.Split s, Scope scope) {
        Parts p = parts("COPY", s, COPY_STRINGS, COPY_BOOLS);
        String from = p.flags.string("from");
        if (from != null && !from.equals(scope.variables().expand(from, Map.of()))) {
            throw new IllegalArgumentException("variable expansion is not supported for --from,"
                    + " define a new stage with FROM using ARG from global scope as a workaround");
        }
        Expanded e = expand(p, scope);
        return new Instruction.Copy(l.line(), l.text().strip(), e.sources, e.destination,
                from == null || from.isEmpty() ? null : from, e.chown, e.chmod, p.flags.bool("link"));
    }

    static Instruction add(LogicalLine l, Words.Split s, Scope scope) {
        Parts p = parts("ADD", s, ADD_STRINGS, ADD_BOOLS);
        Expanded e = expand(p, scope);
        String checksum = p.flags.string("checksum");
        checksum = checksum == null ? null : scope.expand(checksum);
        return new Instruction.Add(l.line(), l.text().strip(), e.sources, e.destination, e.chown, e.chmod,
                p.flags.bool("link"), checksum == null || checksum.isEmpty() ? null : checksum,
                p.flags.bool("keep-git-dir"), p.flags.has("unpack") ? p.flags.bool("unpack") : null);
    }

    private record Parts(String command, List<String> words, Flags flags) {
    }

    private record Expanded(List<String> sources, String destination, String chown, Chmod chmod) {
    }

    private static Parts parts(String command, Words.Split s, Set<String> strings, Set<String> bools) {
        List<String> json = Words.jsonArray(s.rest());
        List<String> words = json != null ? json : Words.whitespaceDelimited(s.rest());
        if (words.size() < 2) {
            throw new IllegalArgumentException(command + " requires at least two arguments, but only one was"
                    + " provided. Destination could not be determined.");
        }
        Flags flags = Flags.parse(s.flags(), strings, bools);
        for (String refused : List.of("parents", "exclude")) {
            if (flags.has(refused)) {
                throw new IllegalArgumentException(command + " --" + refused + " is not supported by kiln;"
                        + " list the sources explicitly or use a .dockerignore");
            }
        }
        if (json == null) {
            for (String word : words) {
                Matcher m = HEREDOC.matcher(word);
                if (m.matches() && !m.group(3).isEmpty()) {
                    throw new IllegalArgumentException(command + " with a heredoc (" + word + ") is not supported"
                            + " by kiln; put the content in a file and copy that");
                }
            }
        }
        return new Parts(command, words, flags);
    }

    private static Expanded expand(Parts p, Scope scope) {
        List<String> sources = new ArrayList<>();
        for (String source : p.words.subList(0, p.words.size() - 1)) {
            sources.add(scope.expand(source));
        }
        String destination = scope.expand(p.words.get(p.words.size() - 1));
        String chown = p.flags.string("chown");
        chown = chown == null ? null : scope.expand(chown);
        String chmodText = p.flags.string("chmod");
        chmodText = chmodText == null ? null : scope.expand(chmodText);
        Chmod chmod = null;
        if (chmodText != null && !chmodText.isEmpty()) {
            try {
                chmod = Chmod.parse(chmodText);
            } catch (IllegalArgumentException e) {
                scope.check(false, e.getMessage());
            }
        }
        return new Expanded(sources, destination, chown == null || chown.isEmpty() ? null : chown, chmod);
    }

}
