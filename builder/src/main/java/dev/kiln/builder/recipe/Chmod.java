package dev.kiln.builder.recipe;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A COPY or ADD {@code --chmod} value: octal ({@code 0755}, all 12 bits set as given) or, since
 * Dockerfile 1.14, symbolic as in chmod(1) ({@code u+x}, {@code go-w}, {@code a=rX},
 * {@code u=rwx,go=u-w}), applied to each copied entry's own mode. BuildKit parses the symbolic form
 * with BSD setmode semantics (tonistiigi/dchapes-mode): a clause without {@code u}, {@code g},
 * {@code o} or {@code a} is masked by the umask, which is 022 under dockerd (it sets it at start);
 * kiln uses 022 for that. {@code +X} adds execute to folders and to files that have some execute
 * bit (that library ignores {@code X} after {@code =} and {@code -}, and so does kiln).
 */
public final class Chmod {
    private static final int UMASK = 022;
    private static final int SETID = 06000;
    private static final int STICKY = 01000;
    private static final int ALL = 07777;

    private final String text;
    private final Integer octal;
    private final List<int[]> ops; // {op, who, perm, copyFrom} op: '+', '-', '=' ; copyFrom: 0 or 'u','g','o'

    private Chmod(String text, Integer octal, List<int[]> ops) {
        this.text = text;
        this.octal = octal;
        this.ops = ops;
    }

    /** Parses a --chmod value; throws IllegalArgumentException with BuildKit's wording. */
    public static Chmod parse(String text) {
        Objects.requireNonNull(text, "text");
        String octalError = "invalid chmod parameter: '" + text + "'. it should be octal string and between 0 and 07777";
        if (!text.isEmpty() && Character.isDigit(text.charAt(0))) {
            if (!text.chars().allMatch(c -> c >= '0' && c <= '7')) {
                throw new IllegalArgumentException(octalError);
            }
            String digits = text.replaceFirst("^0+(?=.)", "");
            if (digits.length() > 4 || Integer.parseInt(digits, 8) > ALL) {
                throw new IllegalArgumentException(octalError);
            }
            return new Chmod(text, Integer.parseInt(digits, 8), List.of());
        }
        List<int[]> ops = new ArrayList<>();
        for (String clause : text.split(",", -1)) {
            parseClause(clause, ops, text);
        }
        return new Chmod(text, null, List.copyOf(ops));
    }

    private static void parseClause(String clause, List<int[]> ops, String text) {
        int i = 0;
        int who = 0;
        for (; i < clause.length() && "ugoa".indexOf(clause.charAt(i)) >= 0; i++) {
            who |= switch (clause.charAt(i)) {
                case 'u' -> 04700;
                case 'g' -> 02070;
                case 'o' -> 0007;
                default -> 06777;
            };
        }
        if (i >= clause.length()) {
            throw syntax(text);
        }
        while (i < clause.length()) {
            char op = clause.charAt(i++);
            if (op != '+' && op != '-' && op != '=') {
                throw syntax(text);
            }
            int perm = 0;
            int copyFrom = 0;
            boolean bigX = false;
            for (; i < clause.length() && "+-=".indexOf(clause.charAt(i)) < 0; i++) {
                char p = clause.charAt(i);
                switch (p) {
                    case 'r' -> perm |= 0444;
                    case 'w' -> perm |= 0222;
                    case 'x' -> perm |= 0111;
                    case 'X' -> bigX = true;
                    case 's' -> perm |= SETID;
                    case 't' -> perm |= STICKY;
                    case 'u', 'g', 'o' -> {
                        if (copyFrom != 0 || perm != 0 || bigX) {
                            throw syntax(text);
                        }
                        copyFrom = p;
                    }
                    default -> throw syntax(text);
                }
            }
            ops.add(new int[] {op, who, perm, copyFrom, bigX ? 1 : 0});
        }
    }

    private static IllegalArgumentException syntax(String text) {
        return new IllegalArgumentException("invalid chmod parameter: '" + text + "': invalid syntax");
    }

    /** The value as written. */
    public String text() {
        return text;
    }

    /** The octal value, or null for a symbolic one. */
    public Integer octal() {
        return octal;
    }

    /** The mode an entry gets: {@code mode} is its own (12 bits), {@code directory} its kind. */
    public int apply(int mode, boolean directory) {
        if (octal != null) {
            return octal;
        }
        int m = mode & ALL;
        for (int[] c : ops) {
            int op = c[0];
            int who = c[1];
            int perm = c[2];
            int copyFrom = c[3];
            boolean bigX = c[4] == 1;
            int mask = who != 0 ? who : ALL & ~UMASK;
            if (who == 0 && (perm & STICKY) != 0) {
                mask |= STICKY; // chmod(1): t without a who applies
            }
            if (who != 0 && (perm & STICKY) != 0 && (who & ~0007) != 0) {
                mask |= STICKY;
            }
            if (who != 0 && (who & ~0007) == 0) {
                perm &= ~(SETID | STICKY); // o+s, o+t: ignored
            }
            int bits = perm;
            if (copyFrom != 0) {
                int source = switch (copyFrom) {
                    case 'u' -> (m >> 6) & 7;
                    case 'g' -> (m >> 3) & 7;
                    default -> m & 7;
                };
                bits |= source << 6 | source << 3 | source;
            }
            if (bigX && op == '+' && (directory || (mode & 0111) != 0)) { // dchapes-mode: X only with +
                bits |= 0111;
            }
            switch (op) {
                case '+' -> m |= bits & mask;
                case '-' -> m &= ~(bits & mask);
                default -> {
                    int clear = who != 0 ? who | (perm & STICKY) : 06777; // BSD: = without who keeps sticky
                    m = (m & ~clear) | (bits & mask);
                }
            }
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Chmod c && c.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
