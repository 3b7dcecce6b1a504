package dev.kiln.builder.layer;

import java.util.Map;

/**
 * Prints the golden layer digests, one "name digest size diffId" line each. Run under another JDK
 * by {@link CrossJdkTest}; also handy by hand: {@code java -cp <test classpath> dev.kiln.builder.layer.CrossJdkMain}.
 */
public final class CrossJdkMain {
    private CrossJdkMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("java.version " + System.getProperty("java.version"));
        for (Map.Entry<String, String> e : GoldenLayers.digests().entrySet()) {
            System.out.println(e.getKey() + " " + e.getValue());
        }
    }
}
