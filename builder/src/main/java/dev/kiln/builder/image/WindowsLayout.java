package dev.kiln.builder.image;

import dev.kiln.builder.layer.LayerEntry;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The shape of a Windows container layer, as Windows' own tools (hcsshim's layer writer) produce
 * it: files under {@code Files/}, a {@code Hives/} folder, and on every entry a PAX record
 * {@code MSWINDOWS.rawsd} holding a self-relative security descriptor (base64). kiln writes one
 * fixed descriptor: owner BUILTIN\Administrators, group SYSTEM, and an inheritable DACL giving full
 * control to Administrators and SYSTEM and read-and-execute to Users.
 */
public final class WindowsLayout {
    public static final String FILES = "Files";
    public static final String HIVES = "Hives";
    public static final String RAWSD = "MSWINDOWS.rawsd";

    private static final byte[] BA = sid(5, 32, 544);
    private static final byte[] SY = sid(5, 18);
    private static final byte[] BU = sid(5, 32, 545);
    private static final int FULL_CONTROL = 0x001F01FF;
    private static final int READ_EXECUTE = 0x001200A9;
    /** Security descriptor for folders (ACEs inherited by children) and for files. */
    static final String DIRECTORY_SD = Base64.getEncoder().encodeToString(descriptor(0x03));
    static final String FILE_SD = Base64.getEncoder().encodeToString(descriptor(0x00));

    private WindowsLayout() {
    }

    /**
     * A Windows path from a recipe ({@code C:\app\}, {@code /app}, {@code app}) as the path of its
     * file in the layer: {@code Files/app}. A trailing separator is kept as {@code /}.
     */
    public static String toLayerPath(String windowsPath) {
        String p = windowsPath.replace('\\', '/');
        if (p.length() >= 2 && Character.isLetter(p.charAt(0)) && p.charAt(1) == ':') {
            p = p.substring(2);
        }
        return ConfigEditor.clean("/" + p) + (p.endsWith("/") && p.length() > 1 ? "/" : "");
    }

    /**
     * Moves entries under {@code Files/}, adds the {@code Files} and {@code Hives} folders, and security
     * descriptors. Every parent folder is written here too (e.g. {@code Files/hello} for
     * {@code COPY hello.txt C:\hello\}): left to the tar writer, it would come without a descriptor.
     */
    public static List<LayerEntry> wrap(List<LayerEntry> entries) {
        List<LayerEntry> out = new ArrayList<>();
        out.add(LayerEntry.directory(FILES, 0755).withPaxHeader(RAWSD, DIRECTORY_SD));
        out.add(LayerEntry.directory(HIVES, 0755).withPaxHeader(RAWSD, DIRECTORY_SD));
        Set<String> paths = new HashSet<>(List.of(FILES, HIVES));
        List<LayerEntry> moved = new ArrayList<>();
        for (LayerEntry e : entries) {
            String path = e.path().startsWith(FILES + "/") ? e.path() : FILES + "/" + e.path();
            moved.add(e.withPath(path).withPaxHeader(RAWSD, e.isDirectory() ? DIRECTORY_SD : FILE_SD));
            paths.add(path);
        }
        for (LayerEntry e : moved) {
            for (int slash = e.path().lastIndexOf('/'); slash > 0; slash = e.path().lastIndexOf('/', slash - 1)) {
                String parent = e.path().substring(0, slash);
                if (paths.add(parent)) {
                    out.add(LayerEntry.directory(parent, 0755).withPaxHeader(RAWSD, DIRECTORY_SD));
                }
            }
        }
        out.addAll(moved);
        return out;
    }

    /** A SID with identifier authority {@code authority} and the given sub-authorities. */
    private static byte[] sid(int authority, int... subs) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(1);
        b.write(subs.length);
        b.writeBytes(new byte[] {0, 0, 0, 0, 0, (byte) authority});
        for (int s : subs) {
            writeInt(b, s);
        }
        return b.toByteArray();
    }

    private static byte[] ace(int flags, int mask, byte[] sid) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0); // ACCESS_ALLOWED_ACE_TYPE
        b.write(flags);
        writeShort(b, 8 + sid.length);
        writeInt(b, mask);
        b.writeBytes(sid);
        return b.toByteArray();
    }

    private static byte[] descriptor(int aceFlags) {
        byte[][] aces = {ace(aceFlags, FULL_CONTROL, BA), ace(aceFlags, FULL_CONTROL, SY), ace(aceFlags, READ_EXECUTE, BU)};
        int aclSize = 8;
        for (byte[] a : aces) {
            aclSize += a.length;
        }
        int ownerOffset = 20;
        int groupOffset = ownerOffset + BA.length;
        int daclOffset = groupOffset + SY.length;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(1); // revision
        b.write(0);
        writeShort(b, 0x8004); // SE_SELF_RELATIVE | SE_DACL_PRESENT
        writeInt(b, ownerOffset);
        writeInt(b, groupOffset);
        writeInt(b, 0); // no SACL
        writeInt(b, daclOffset);
        b.writeBytes(BA);
        b.writeBytes(SY);
        b.write(2); // ACL revision
        b.write(0);
        writeShort(b, aclSize);
        writeShort(b, aces.length);
        writeShort(b, 0);
        for (byte[] a : aces) {
            b.writeBytes(a);
        }
        return b.toByteArray();
    }

    private static void writeShort(ByteArrayOutputStream b, int v) {
        b.write(v & 0xff);
        b.write((v >>> 8) & 0xff);
    }

    private static void writeInt(ByteArrayOutputStream b, int v) {
        writeShort(b, v & 0xffff);
        writeShort(b, (v >>> 16) & 0xffff);
    }
}
