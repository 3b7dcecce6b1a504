package dev.kiln.layout.oci;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A lock between processes (an OS file lock) and between threads of this process (a read-write
 * lock per file), so that writers of one layout are serialized wherever they run. Shared holders
 * within the process share one OS lock, taken by the first and released by the last.
 */
final class LayoutLock {
    private static final ConcurrentHashMap<String, State> STATES = new ConcurrentHashMap<>();

    private static final class State {
        final ReadWriteLock threads = new ReentrantReadWriteLock(true);
        int sharedHolders;
        FileChannel sharedChannel;
        FileLock sharedLock;
    }

    private LayoutLock() {
    }

    /** A held lock; close to release. */
    interface Held extends Closeable {
        @Override
        void close() throws IOException;
    }

    static Held exclusive(Path file) throws IOException {
        State s = state(file);
        s.threads.writeLock().lock();
        try {
            FileChannel ch = open(file);
            FileLock lock;
            try {
                lock = ch.lock(0, Long.MAX_VALUE, false);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            return () -> {
                try {
                    lock.release();
                    ch.close();
                } finally {
                    s.threads.writeLock().unlock();
                }
            };
        } catch (IOException | RuntimeException e) {
            s.threads.writeLock().unlock();
            throw e;
        }
    }

    /**
     * The exclusive lock when {@code file} exists and can be opened for writing; else null, having
     * created nothing (for readers that must write nothing, such as a dry run, on read-only layouts too).
     */
    static Held exclusiveIfPresent(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        State s = state(file);
        s.threads.writeLock().lock();
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            s.threads.writeLock().unlock();
            return null; // read-only: nobody can write into the layout either
        }
        FileLock lock;
        try {
            lock = ch.lock(0, Long.MAX_VALUE, false);
        } catch (IOException | RuntimeException e) {
            ch.close();
            s.threads.writeLock().unlock();
            throw e;
        }
        return () -> {
            try {
                lock.release();
                ch.close();
            } finally {
                s.threads.writeLock().unlock();
            }
        };
    }

    static Held shared(Path file) throws IOException {
        State s = state(file);
        s.threads.readLock().lock();
        try {
            synchronized (s) {
                if (s.sharedHolders == 0) {
                    FileChannel ch = open(file);
                    try {
                        s.sharedLock = ch.lock(0, Long.MAX_VALUE, true);
                    } catch (IOException | RuntimeException e) {
                        ch.close();
                        throw e;
                    }
                    s.sharedChannel = ch;
                }
                s.sharedHolders++;
            }
        } catch (IOException | RuntimeException e) {
            s.threads.readLock().unlock();
            throw e;
        }
        return () -> {
            try {
                synchronized (s) {
                    if (--s.sharedHolders == 0) {
                        try {
                            s.sharedLock.release();
                        } finally {
                            s.sharedChannel.close();
                            s.sharedChannel = null;
                            s.sharedLock = null;
                        }
                    }
                }
            } finally {
                s.threads.readLock().unlock();
            }
        };
    }

    private static State state(Path file) {
        String key = file.getFileSystem().toString() + "|" + file.toAbsolutePath().normalize();
        return STATES.computeIfAbsent(key, k -> new State());
    }

    private static FileChannel open(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        try {
            // READ as well as WRITE: some file systems refuse a shared lock on a write-only channel
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        } catch (UnsupportedOperationException e) {
            throw new IOException("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }
}
