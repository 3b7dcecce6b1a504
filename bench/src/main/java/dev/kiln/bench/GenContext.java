package dev.kiln.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes the benchmark's build context, deterministically from a seed (SplittableRandom's
 * algorithm is fixed by its spec, so the bytes are the same on every JDK):
 *
 * <pre>
 *   context DIR SEED       ~1,500 text files of 1-96 KiB in nested folders, 20 incompressible
 *                          5 MiB files under blobs/, and one executable bin/bench-tool (~175 MB)
 *   big FILE BYTES SEED    one file of BYTES text-like bytes, written streaming (memory mode)
 * </pre>
 *
 * Prints "files=N bytes=N" on success.
 */
public final class GenContext {
  static final int TEXT_FILES = 1500;
  static final int BLOB_FILES = 20;
  static final int BLOB_SIZE = 5 * 1024 * 1024;

  /** A fixed vocabulary: text from it compresses about 3x with gzip, like source code does. */
  static final String[] WORDS = (
      "the of and to in is that for it as with was on be by this are from or at an but not have "
      + "which one all were can there been if more when will would who so no public private static "
      + "final class interface return void int long string boolean null true false new import package "
      + "throws throw try catch finally while for each else switch case default break continue this "
      + "super extends implements abstract synchronized volatile transient native enum record var "
      + "layer image manifest index digest blob config platform amd64 arm64 variant annotation tag "
      + "registry upload mount chunk range location token scope realm service bearer basic header "
      + "body status created accepted content length type encoding gzip zstd tar entry header name "
      + "size mode uid gid mtime link path folder file context recipe copy add from label env arg "
      + "workdir user entrypoint cmd expose volume healthcheck shell stop signal onbuild maintainer "
      + "buffer stream channel reader writer input output byte char array list map set queue deque "
      + "thread pool executor future task worker lock latch semaphore atomic counter value result "
      + "error exception warning info debug trace log message format parse print read write close "
      + "open flush seek skip mark reset available length offset count index begin end start stop "
      + "0 1 2 3 4 5 6 7 8 9 10 16 32 64 128 256 512 1024 4096 65536 {} () [] ; , . = == != <= >= "
      + "&& || + - * / % ++ -- += -= // /* */ @Override @Test assert equals hashCode toString")
      .split(" ");
  static final String[] EXTENSIONS = {".java", ".txt", ".md", ".json", ".c", ".h", ".py", ".xml"};
  static final byte[][] WORD_BYTES = new byte[WORDS.length][];

  static {
    for (int i = 0; i < WORDS.length; i++) {
      WORD_BYTES[i] = WORDS[i].getBytes(StandardCharsets.US_ASCII);
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length == 3 && args[0].equals("context")) {
      context(Path.of(args[1]), Long.parseLong(args[2]));
    } else if (args.length == 4 && args[0].equals("big")) {
      big(Path.of(args[1]), Long.parseLong(args[2]), Long.parseLong(args[3]));
    } else {
      System.err.println("usage: GenContext context DIR SEED | big FILE BYTES SEED");
      System.exit(2);
    }
  }

  static void context(Path dir, long seed) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    Files.createDirectories(dir);
    // A tree of ~120 folders, 1 to 5 levels deep.
    List<Path> folders = new ArrayList<>();
    for (int top = 0; top < 12; top++) {
      Path t = dir.resolve(String.format("module%02d", top));
      folders.add(t);
    }
    while (folders.size() < 120) {
      Path parent = folders.get(rnd.nextInt(folders.size()));
      if (dir.relativize(parent).getNameCount() >= 5) {
        continue;
      }
      Path child = parent.resolve(WORDS[rnd.nextInt(WORDS.length)].replaceAll("[^a-z0-9]", "") + "_"
          + folders.size());
      folders.add(child);
    }
    for (Path f : folders) {
      Files.createDirectories(f);
    }
    long bytes = 0;
    int files = 0;
    byte[] buf = new byte[96 * 1024 + 256];
    for (int i = 0; i < TEXT_FILES; i++) {
      Path folder = folders.get(rnd.nextInt(folders.size()));
      String ext = EXTENSIONS[rnd.nextInt(EXTENSIONS.length)];
      int size = 1024 + rnd.nextInt(95 * 1024 + 1);           // 1 KiB .. 96 KiB
      fillText(rnd, buf, size);
      Path file = folder.resolve(String.format("file%04d%s", i, ext));
      Files.write(file, java.util.Arrays.copyOf(buf, size));
      bytes += size;
      files++;
    }
    Path blobs = dir.resolve("blobs");
    Files.createDirectories(blobs);
    byte[] blob = new byte[BLOB_SIZE];
    for (int i = 0; i < BLOB_FILES; i++) {
      fillRandom(rnd, blob);
      Files.write(blobs.resolve(String.format("data%02d.bin", i)), blob);
      bytes += BLOB_SIZE;
      files++;
    }
    Path bin = dir.resolve("bin");
    Files.createDirectories(bin);
    Path tool = bin.resolve("bench-tool");
    byte[] script = ("#!/bin/sh\n# kiln benchmark: the context's one executable\necho \"bench-tool $*\"\n")
        .getBytes(StandardCharsets.US_ASCII);
    Files.write(tool, script);
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
    bytes += script.length;
    files++;
    System.out.println("files=" + files + " bytes=" + bytes);
  }

  static void big(Path file, long size, long seed) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[] buf = new byte[1 << 20];
    long left = size;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      while (left > 0) {
        int n = (int) Math.min(buf.length, left);
        fillText(rnd, buf, n);
        out.write(buf, 0, n);
        left -= n;
      }
    }
    System.out.println("files=1 bytes=" + size);
  }

  /** Fills buf[0..size) with lines of words from the vocabulary, some indented. */
  static void fillText(SplittableRandom rnd, byte[] buf, int size) {
    int p = 0;
    while (p < size) {
      int indent = rnd.nextInt(4) * 2;
      for (int k = 0; k < indent && p < size; k++) {
        buf[p++] = ' ';
      }
      int words = 3 + rnd.nextInt(12);
      for (int w = 0; w < words && p < size; w++) {
        byte[] word = WORD_BYTES[rnd.nextInt(WORD_BYTES.length)];
        int n = Math.min(word.length, size - p);
        System.arraycopy(word, 0, buf, p, n);
        p += n;
        if (p < size) {
          buf[p++] = (byte) (w == words - 1 ? '\n' : ' ');
        }
      }
    }
  }

  static void fillRandom(SplittableRandom rnd, byte[] buf) {
    for (int i = 0; i + 8 <= buf.length; i += 8) {
      long v = rnd.nextLong();
      for (int b = 0; b < 8; b++) {
        buf[i + b] = (byte) (v >>> (8 * b));
      }
    }
  }
}
