package dev.kiln.builder.recipe;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * EXPOSE's port specifications as BuildKit reads them: {@code [ip:][hostport:]port[-end][/proto]}
 * with proto {@code tcp} (default), {@code udp} or {@code sctp}. Only the container ports are kept,
 * one {@code port/proto} per port of a range.
 */
final class PortSpecs {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private PortSpecs() {
    }

    static List<String> parse(String raw) {
        String[] parts = raw.split(":", -1);
        String ip = "";
        String hostPort = "";
        String containerPort;
        if (parts.length == 1) {
            containerPort = parts[0];
        } else if (parts.length == 2) {
            hostPort = parts[0];
            containerPort = parts[1];
        } else {
            int n = parts.length;
            ip = String.join(":", List.of(parts).subList(0, n - 2));
            hostPort = parts[n - 2];
            containerPort = parts[n - 1];
        }
        int slash = containerPort.indexOf('/');
        String proto = slash < 0 ? "" : containerPort.substring(slash + 1).toLowerCase(Locale.ROOT);
        String port = slash < 0 ? containerPort : containerPort.substring(0, slash);
        if (port.isEmpty()) {
            throw new IllegalArgumentException("no port specified: " + containerPort + "<empty>");
        }
        if (proto.isEmpty()) {
            proto = "tcp";
        } else if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
            throw new IllegalArgumentException("invalid proto: " + proto);
        }
        if (ip.startsWith("[") && ip.endsWith("]")) {
            ip = ip.substring(1, ip.length() - 1);
        }
        if (!ip.isEmpty() && !IPV4.matcher(ip).matches() && !IPV6.matcher(ip).matches()) {
            throw new IllegalArgumentException("invalid IP address: " + ip);
        }
        int[] range = range(port, "invalid containerPort: " + port);
        if (!hostPort.isEmpty()) {
            int[] host = range(hostPort, "invalid hostPort: " + hostPort);
            if (range[1] - range[0] != host[1] - host[0] && range[1] != range[0]) {
                throw new IllegalArgumentException("invalid ranges specified for container and host Ports: "
                        + port + " and " + hostPort);
            }
        }
        List<String> out = new ArrayList<>();
        for (int p = range[0]; p <= range[1]; p++) {
            out.add(p + "/" + proto);
        }
        return out;
    }

    private static int[] range(String ports, String error) {
        String[] bounds = ports.split("-", -1);
        if (bounds.length > 2) {
            throw new IllegalArgumentException(error);
        }
        int start = port(bounds[0], error);
        int end = bounds.length == 2 ? port(bounds[1], error) : start;
        if (end < start) {
            throw new IllegalArgumentException(error);
        }
        return new int[] {start, end};
    }

    private static int port(String s, String error) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(error);
        }
        int v = Integer.parseInt(s);
        if (v > 65535) {
            throw new IllegalArgumentException(error);
        }
        return v;
    }
}
