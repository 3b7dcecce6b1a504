package dev.kiln.builder.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * --chmod values: octal as before, symbolic as chmod(1) with BSD setmode's rules (the library
 * BuildKit uses), a clause without who masked by umask 022. Expected values worked out by hand
 * from chmod(1) and checked against GNU chmod under umask 022 where the two agree.
 */
class ChmodTest {
    private static int apply(String spec, int mode, boolean dir) {
        return Chmod.parse(spec).apply(mode, dir);
    }

    @Test
    void octalSetsAllTwelveBits() {
        assertEquals(0755, apply("0755", 04644, false));
        assertEquals(04755, apply("4755", 0644, false));
        assertEquals(0755, Chmod.parse("755").octal());
        assertNull(Chmod.parse("u+x").octal());
    }

    @Test
    void symbolicForms() {
        assertEquals(0755, apply("a+x", 0644, false));
        assertEquals(0755, apply("+x", 0644, false), "no who: masked by umask 022, x is not masked");
        assertEquals(0744, apply("u+x", 0644, false));
        assertEquals(0755, apply("go-w", 0777, false));
        assertEquals(0644, apply("+w", 0444, false), "no who: umask 022 keeps w for the owner only");
        assertEquals(0644, apply("=rw", 0777, false), "= without who: umask applies");
        assertEquals(0750, apply("u=rwx,g=rx,o=", 0644, false));
        assertEquals(0755, apply("u=rwx,go=u-w", 0600, false), "copy the owner's bits, then take w away");
        assertEquals(0640, apply("g+u-w", 0600, false));
        assertEquals(04755, apply("u+s", 0755, false));
        assertEquals(06755, apply("+s", 0755, false));
        assertEquals(01777, apply("+t", 0777, true));
        assertEquals(0755, apply("o+t", 0755, true), "sticky for others only is ignored");
        assertEquals(0555, apply("a-w", 0775, true));
    }

    @Test
    void bigXOnlyForFoldersAndExecutablesAndOnlyWithPlus() {
        assertEquals(0755, apply("a+rX", 0700, true));
        assertEquals(0644, apply("a+rX", 0600, false));
        assertEquals(0755, apply("a+rX", 0700, false), "a file with some x gets x for all");
        assertEquals(0444, apply("a=rX", 0700, true), "dchapes-mode ignores X after =");
    }

    @Test
    void badValues() {
        for (String bad : new String[] {"u", "u+q", "x", "u+x;", "10000", "0888", "64a", "u+x,", ""}) {
            assertThrows(IllegalArgumentException.class, () -> Chmod.parse(bad), bad);
        }
    }
}
