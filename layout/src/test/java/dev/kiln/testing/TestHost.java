package dev.kiln.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test host of the project's own: a network namespace joined to this one by a veth pair, so a
 * test can reach a server on a non-loopback address without any traffic leaving the machine. The
 * host side is {@code 10.213.N.1}, the namespace side {@link #address()} = {@code 10.213.N.2}.
 * Needs root and iproute2 (`ip`); fails clearly when either is missing. Closing removes it all.
 */
public final class TestHost implements AutoCloseable {
    private static final AtomicInteger NEXT = new AtomicInteger((int) (ProcessHandle.current().pid() % 200));
    private final String name;
    private final String hostLink;
    private final int subnet;
    private final List<Process> servers = new ArrayList<>();

    private TestHost(String name, String hostLink, int subnet) {
        this.name = name;
        this.hostLink = hostLink;
        this.subnet = subnet;
    }

    public static TestHost create() {
        Peers.require("ip");
        int n = 10 + NEXT.getAndIncrement() % 240;
        String name = "kiln-it-" + ProcessHandle.current().pid() + "-" + n;
        String hostLink = "kh" + n + "x" + (ProcessHandle.current().pid() % 10000);
        String nsLink = hostLink + "n";
        TestHost host = new TestHost(name, hostLink, n);
        Peers.atExit(host::close);
        try {
            ip("netns", "add", name);
            ip("link", "add", hostLink, "type", "veth", "peer", "name", nsLink);
            ip("link", "set", nsLink, "netns", name);
            ip("addr", "add", "10.213." + n + ".1/30", "dev", hostLink);
            ip("link", "set", hostLink, "up");
            ip("netns", "exec", name, "ip", "addr", "add", "10.213." + n + ".2/30", "dev", nsLink);
            ip("netns", "exec", name, "ip", "link", "set", nsLink, "up");
            ip("netns", "exec", name, "ip", "link", "set", "lo", "up");
        } catch (RuntimeException | Error e) {
            host.close();
            throw e;
        }
        return host;
    }

    /** The namespace side's address: not loopback, reachable only from this machine. */
    public String address() {
        return "10.213." + subnet + ".2";
    }

    /** Starts a long-running command inside the namespace; it is killed on close. */
    public Process start(Path log, String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        servers.add(p);
        return p;
    }

    private static void ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Proc.Result r = Proc.of(cmd).run();
        if (!r.ok()) {
            throw new AssertionError("cannot make a test host (root and iproute2 are needed): " + r.describe());
        }
    }

    @Override
    public synchronized void close() {
        for (Process p : servers) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        servers.clear();
        Proc.of("ip", "link", "del", hostLink).run();
        Proc.of("ip", "netns", "del", name).run();
    }
}
