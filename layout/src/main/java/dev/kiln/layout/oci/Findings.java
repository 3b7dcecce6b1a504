package dev.kiln.layout.oci;

import java.util.ArrayList;
import java.util.List;

/** Problems and warnings collected by the parts of {@link Verifier}. */
final class Findings {
    final List<Problem> problems = new ArrayList<>();
    final List<Problem> warnings = new ArrayList<>();

    void problem(WalkNode n, String message) {
        problems.add(new Problem(n.digest(), n.where(), message));
    }

    void warning(WalkNode n, String message) {
        warnings.add(new Problem(n.digest(), n.where(), message));
    }
}
