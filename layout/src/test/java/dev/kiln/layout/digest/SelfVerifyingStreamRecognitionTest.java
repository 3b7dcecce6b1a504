package dev.kiln.layout.digest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * A blob store trusts a stream's own check (and skips hashing it again) only when the stream checks
 * exactly the digest AND size being stored, directly or behind pass-through wrappers; anything
 * else, including a wrapper that may change bytes, is hashed again.
 */
class SelfVerifyingStreamRecognitionTest {
    static final byte[] CONTENT = "layer bytes".getBytes();
    static final Digest DIGEST = Digest.sha256(CONTENT);

    static class Pass extends FilterInputStream implements SelfVerifyingStream.PassThrough {
        Pass(InputStream in) {
            super(in);
        }

        @Override
        public InputStream source() {
            return in;
        }
    }

    static VerifyingInputStream verifying(long size) {
        return new VerifyingInputStream(new ByteArrayInputStream(CONTENT), DIGEST, size, "blob");
    }

    @Test
    void aStreamCheckingThisDigestAndSizeIsRecognized() {
        assertTrue(SelfVerifyingStream.checks(verifying(CONTENT.length), DIGEST, CONTENT.length));
        assertTrue(SelfVerifyingStream.checks(new Pass(new Pass(verifying(CONTENT.length))), DIGEST, CONTENT.length));
    }

    @Test
    void aStreamCheckingAnotherSizeOrDigestIsNot() {
        assertFalse(SelfVerifyingStream.checks(verifying(CONTENT.length), DIGEST, CONTENT.length + 1));
        assertFalse(SelfVerifyingStream.checks(verifying(-1), DIGEST, CONTENT.length), "a digest-only check is not enough");
        assertFalse(SelfVerifyingStream.checks(verifying(CONTENT.length), Digest.sha256("other"), CONTENT.length));
    }

    @Test
    void aPlainStreamOrAWrapperThatIsNotAPassThroughIsNot() {
        assertFalse(SelfVerifyingStream.checks(new ByteArrayInputStream(CONTENT), DIGEST, CONTENT.length));
        assertFalse(SelfVerifyingStream.checks(new FilterInputStream(verifying(CONTENT.length)) { }, DIGEST, CONTENT.length));
        assertFalse(SelfVerifyingStream.checks(new Pass(null), DIGEST, CONTENT.length));
        assertFalse(SelfVerifyingStream.checks(null, DIGEST, CONTENT.length));
    }

    @Test
    void aPassThroughLoopEnds() {
        Pass[] loop = new Pass[1];
        loop[0] = new Pass(null) {
            @Override
            public InputStream source() {
                return loop[0];
            }
        };
        assertFalse(SelfVerifyingStream.checks(loop[0], DIGEST, CONTENT.length));
    }
}
