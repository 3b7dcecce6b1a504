package dev.kiln.builder.recipe;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/**
 * Go's {@code time.ParseDuration}, which Docker uses for HEALTHCHECK options: an optional sign,
 * then one or more decimal numbers each with a unit ({@code ns us µs μs ms s m h}), like
 * {@code 30s}, {@code 1m30s}, {@code 1.5h}; {@code 0} needs no unit.
 */
final class GoDuration {
    private static final Map<String, Long> UNITS = Map.of(
            "ns", 1L, "us", 1_000L, "\u00b5s", 1_000L, "\u03bcs", 1_000L, "ms", 1_000_000L,
            "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);
    private static final BigInteger LIMIT = BigInteger.ONE.shiftLeft(63);

    private GoDuration() {
    }

    /** Nanoseconds; throws with Go's message on malformed input or overflow. */
    static long parse(String orig) {
        String s = orig;
        boolean neg = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            neg = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return 0;
        }
        if (s.isEmpty()) {
            throw invalid(orig);
        }
        BigInteger total = BigInteger.ZERO;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '.' && !isDigit(c)) {
                throw invalid(orig);
            }
            int start = i;
            while (i < s.length() && isDigit(s.charAt(i))) {
                i++;
            }
            String whole = s.substring(start, i);
            String fraction = "";
            if (i < s.length() && s.charAt(i) == '.') {
                int f = ++i;
                while (i < s.length() && isDigit(s.charAt(i))) {
                    i++;
                }
                fraction = s.substring(f, i);
            }
            if (whole.isEmpty() && fraction.isEmpty()) {
                throw invalid(orig);
            }
            int u = i;
            while (i < s.length() && s.charAt(i) != '.' && !isDigit(s.charAt(i))) {
                i++;
            }
            if (u == i) {
                throw new IllegalArgumentException("time: missing unit in duration \"" + orig + "\"");
            }
            String unitName = s.substring(u, i);
            Long unit = UNITS.get(unitName);
            if (unit == null) {
                throw new IllegalArgumentException(
                        "time: unknown unit \"" + unitName + "\" in duration \"" + orig + "\"");
            }
            BigDecimal value = new BigDecimal((whole.isEmpty() ? "0" : whole) + (fraction.isEmpty() ? "" : "." + fraction));
            total = total.add(value.multiply(BigDecimal.valueOf(unit)).toBigInteger());
            if (total.compareTo(LIMIT) > 0) {
                throw invalid(orig);
            }
        }
        if (!neg && total.compareTo(LIMIT) >= 0) {
            throw invalid(orig);
        }
        return neg ? total.negate().longValue() : total.longValue();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException invalid(String orig) {
        return new IllegalArgumentException("time: invalid duration \"" + orig + "\"");
    }
}
