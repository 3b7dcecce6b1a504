package dev.kiln.builder.image;

import java.util.HashMap;
import java.util.Map;

/**
 * Users and groups of a base image, from its {@code /etc/passwd} and {@code /etc/group}, to resolve
 * {@code --chown=name:group} as Docker does: numbers are taken as they are, names are looked up, and
 * a user given without a group gets that user's primary group.
 */
public final class UserDatabase {
    private final Map<String, long[]> users = new HashMap<>();
    private final Map<String, Long> groups = new HashMap<>();

    public static UserDatabase parse(String passwd, String group) {
        UserDatabase db = new UserDatabase();
        if (passwd != null) {
            for (String line : passwd.split("\n")) {
                String[] f = line.split(":", -1);
                if (f.length >= 4 && !line.startsWith("#")) {
                    try {
                        db.users.putIfAbsent(f[0], new long[] {Long.parseLong(f[2].trim()), Long.parseLong(f[3].trim())});
                    } catch (NumberFormatException e) {
                        // a malformed line is ignored, as libc does
                    }
                }
            }
        }
        if (group != null) {
            for (String line : group.split("\n")) {
                String[] f = line.split(":", -1);
                if (f.length >= 3 && !line.startsWith("#")) {
                    try {
                        db.groups.putIfAbsent(f[0], Long.parseLong(f[2].trim()));
                    } catch (NumberFormatException e) {
                        // ignored, as above
                    }
                }
            }
        }
        return db;
    }

    public static UserDatabase empty() {
        return new UserDatabase();
    }

    /** Resolves {@code user[:group]} to {uid, gid}; throws IllegalArgumentException naming what is unknown. */
    public long[] resolve(String chown) {
        if (chown == null || chown.isEmpty()) {
            throw new IllegalArgumentException("empty --chown value");
        }
        int colon = chown.indexOf(':');
        String user = colon < 0 ? chown : chown.substring(0, colon);
        String group = colon < 0 ? null : chown.substring(colon + 1);
        long uid;
        Long primaryGid = null;
        if (isNumber(user)) {
            uid = parseId(user);
        } else {
            long[] u = users.get(user);
            if (u == null) {
                throw new IllegalArgumentException("unknown user '" + user + "' (not in the base image's /etc/passwd)");
            }
            uid = u[0];
            primaryGid = u[1];
        }
        long gid;
        if (group == null || group.isEmpty()) {
            gid = primaryGid != null ? primaryGid : uid;
        } else if (isNumber(group)) {
            gid = parseId(group);
        } else {
            Long g = groups.get(group);
            if (g == null) {
                throw new IllegalArgumentException("unknown group '" + group + "' (not in the base image's /etc/group)");
            }
            gid = g;
        }
        return new long[] {uid, gid};
    }

    /**
     * Resolves {@code user[:group]} as BuildKit's file operations do for the owner of a folder
     * WORKDIR makes: a number is taken as it is (a user without a group gets the same number as
     * group), a name is looked up, and a name that is not found counts as 0.
     */
    public long[] resolveLenient(String spec) {
        int colon = spec.indexOf(':');
        String user = colon < 0 ? spec : spec.substring(0, colon);
        String group = colon < 0 ? null : spec.substring(colon + 1);
        long uid = 0;
        long gid = 0;
        if (isNumber(user)) {
            uid = Math.min(parseLenient(user), 0xFFFF_FFFEL);
            gid = uid;
        } else if (users.containsKey(user)) {
            uid = users.get(user)[0];
            gid = users.get(user)[1];
        }
        if (group != null && !group.isEmpty()) {
            if (isNumber(group)) {
                gid = Math.min(parseLenient(group), 0xFFFF_FFFEL);
            } else {
                gid = groups.getOrDefault(group, gid);
            }
        }
        return new long[] {uid, gid};
    }

    private static long parseLenient(String digits) {
        return digits.length() > 10 ? Long.MAX_VALUE : Long.parseLong(digits);
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    private static long parseId(String s) {
        if (s.length() > 10 || Long.parseLong(s) > 0xFFFF_FFFEL) {
            throw new IllegalArgumentException("id " + s + " is out of range");
        }
        return Long.parseLong(s);
    }
}
