package dev.kiln.builder.recipe;

import static dev.kiln.builder.recipe.RecipeTesting.only;
import static dev.kiln.builder.recipe.RecipeTesting.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstructionsTest {
    private static final String FROM = "FROM scratch\n";

    @Test
    void execFormIsAJsonArrayKeptAsIs() {
        Instruction.Entrypoint e = only(FROM + "ENTRYPOINT [\"/bin/app\", \"--port\", \"$PORT\"]\n",
                Instruction.Entrypoint.class);
        assertTrue(e.command().execForm());
        assertEquals(List.of("/bin/app", "--port", "$PORT"), e.command().arguments());
        assertEquals(List.of("/bin/app", "--port", "$PORT"), e.command().withShell(List.of("/bin/sh", "-c")));
    }

    @Test
    void shellFormKeepsDollarsAndIsWrappedInTheShell() {
        Instruction.Cmd c = only(FROM + "CMD  exec app --port $PORT\n",
                Instruction.Cmd.class);
        assertFalse(c.command().execForm());
        assertEquals(List.of("exec app --port $PORT"), c.command().arguments());
        assertEquals(List.of("/bin/sh", "-c", "exec app --port $PORT"), c.command().withShell(List.of("/bin/sh", "-c")));
    }

    @Test
    void invalidJsonFallsBackToShellForm() {
        assertEquals(List.of("['a','b']"), only(FROM + "CMD ['a','b']\n", Instruction.Cmd.class).command().arguments());
        Instruction.Cmd c = only(FROM + "CMD [\"c:\\x\"]\n", Instruction.Cmd.class);
        assertFalse(c.command().execForm());
        assertEquals(List.of("[\"c:\\x\"]"), c.command().arguments());
        assertFalse(only(FROM + "CMD [\"echo\",\"hi\"] # c\n", Instruction.Cmd.class).command().execForm());
    }

    @Test
    void bareCmdIsAnEmptyShellForm() {
        Instruction.Cmd c = only(FROM + "CMD\n", Instruction.Cmd.class);
        assertEquals(List.of(), c.command().arguments());
        assertFalse(c.command().execForm());
    }

    @Test
    void shellMustBeJson() {
        assertEquals(List.of("powershell", "-command"),
                only(FROM + "SHELL [\"powershell\", \"-command\"]\n", Instruction.Shell.class).shell());
    }

    @Test
    void envBothFormsWithQuotesAndEscapes() {
        Instruction.Env e = only(FROM + "ENV A=1 B=\"two words\" C=three\\ words D='$A' E=\"q\\\"x\"\n",
                Instruction.Env.class);
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("A", "1");
        expected.put("B", "two words");
        expected.put("C", "three words");
        expected.put("D", "$A");
        expected.put("E", "q\"x");
        assertEquals(expected, e.variables());
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(e.variables().keySet()));

        Instruction.Env legacy = only(FROM + "ENV MY_VAR  some value  here\n", Instruction.Env.class);
        assertEquals(Map.of("MY_VAR", "some value  here"), legacy.variables());
    }

    @Test
    void envPairsOfOneInstructionSeeTheValuesBeforeIt() {
        Recipe r = parse(FROM + "ENV abc=hello\nENV abc=bye def=$abc\nENV ghi=$abc\n");
        assertEquals("hello", ((Instruction.Env) r.lastStage().instructions().get(1)).variables().get("def"));
        assertEquals("bye", ((Instruction.Env) r.lastStage().instructions().get(2)).variables().get("ghi"));
    }

    @Test
    void labelPairsWithQuotes() {
        Instruction.Label l = only(FROM + "LABEL \"com.example.vendor\"=\"ACME Inc\" version=1.0 "
                + "description=\"multi\\\nline\" empty=\"\"\n", Instruction.Label.class);
        assertEquals("ACME Inc", l.labels().get("com.example.vendor"));
        assertEquals("1.0", l.labels().get("version"));
        assertEquals("multiline", l.labels().get("description"));
        assertEquals("", l.labels().get("empty"));
        assertEquals(4, l.labels().size());
    }

    @Test
    void exposeNormalizesAndExpandsRanges() {
        Instruction.Expose e = only(FROM + "EXPOSE 80 53/UDP 8000-8002 443/tcp 9/sctp\n", Instruction.Expose.class);
        // raw words are sorted as strings first, as BuildKit does
        assertEquals(List.of("443/tcp", "53/udp", "80/tcp", "8000/tcp", "8001/tcp", "8002/tcp", "9/sctp"), e.ports());
    }

    @Test
    void exposeExpandsVariablesIntoSeveralPorts() {
        Recipe r = parse(FROM + "ARG PORTS=\"8080 9090/udp\"\nEXPOSE $PORTS\n");
        assertEquals(List.of("8080/tcp", "9090/udp"),
                ((Instruction.Expose) r.lastStage().instructions().get(1)).ports());
    }

    @Test
    void volumeJsonOrList() {
        assertEquals(List.of("/data", "/var/log x"),
                only(FROM + "VOLUME [\"/data\", \"/var/log x\"]\n", Instruction.Volume.class).paths());
        assertEquals(List.of("/a", "/b"), only(FROM + "VOLUME /a /b\n", Instruction.Volume.class).paths());
    }

    @Test
    void healthcheckDurationsInNanoseconds() {
        Instruction.Healthcheck h = only(FROM + "HEALTHCHECK --interval=1m30s --timeout=5s --start-period=1.5s "
                + "--start-interval=250ms --retries=3 CMD curl -f http://localhost/ || exit 1\n",
                Instruction.Healthcheck.class);
        assertEquals(List.of("CMD-SHELL", "curl -f http://localhost/ || exit 1"), h.test());
        assertEquals(90_000_000_000L, h.interval());
        assertEquals(5_000_000_000L, h.timeout());
        assertEquals(1_500_000_000L, h.startPeriod());
        assertEquals(250_000_000L, h.startInterval());
        assertEquals(3, h.retries());
        assertEquals(90_000_000_000L, h.toConfig().interval());
        assertFalse(h.disabled());
    }

    @Test
    void healthcheckExecFormNoneAndDefaults() {
        Instruction.Healthcheck h = only(FROM + "HEALTHCHECK CMD [\"/bin/check\", \"-q\"]\n", Instruction.Healthcheck.class);
        assertEquals(List.of("CMD", "/bin/check", "-q"), h.test());
        assertNull(h.interval());
        assertNull(h.retries());
        Instruction.Healthcheck none = only(FROM + "healthcheck none\n", Instruction.Healthcheck.class);
        assertEquals(List.of("NONE"), none.test());
        assertTrue(none.disabled());
    }

    @Test
    void goDurations() {
        assertEquals(0L, GoDuration.parse("0"));
        assertEquals(3_600_000_000_000L + 2_000_000L, GoDuration.parse("1h2ms"));
        assertEquals(1_500L, GoDuration.parse("1.5us"));
        assertEquals(1_500L, GoDuration.parse("1.5\u00b5s"));
        assertEquals(-2_000_000_000L, GoDuration.parse("-2s"));
        assertEquals(500_000_000L, GoDuration.parse(".5s"));
    }

    @Test
    void workdirUserStopsignalAreExpanded() {
        Recipe r = parse(FROM + "ENV APP=/srv/app U=1000 SIG=SIGTERM\nWORKDIR $APP/bin\nUSER ${U}:${U}\n"
                + "STOPSIGNAL $SIG\nWORKDIR \"/with space\"\n");
        List<Instruction> is = r.lastStage().instructions();
        assertEquals("/srv/app/bin", ((Instruction.Workdir) is.get(1)).path());
        assertEquals("1000:1000", ((Instruction.User) is.get(2)).user());
        assertEquals("SIGTERM", ((Instruction.StopSignal) is.get(3)).signal());
        assertEquals("/with space", ((Instruction.Workdir) is.get(4)).path());
    }

    @Test
    void onbuildRecordsTheRawTriggerAndMaintainerIsNotExpanded() {
        Recipe r = parse(FROM + "ONBUILD COPY $SRC /app\nonbuild   RUN make\nMAINTAINER Jane $Doe <j@example.com>\n");
        List<Instruction> is = r.lastStage().instructions();
        assertEquals("COPY $SRC /app", ((Instruction.Onbuild) is.get(0)).trigger());
        assertEquals("RUN make", ((Instruction.Onbuild) is.get(1)).trigger());
        assertEquals("Jane $Doe <j@example.com>", ((Instruction.Maintainer) is.get(2)).name());
    }

    @Test
    void copyFlagsSourcesAndDestination() {
        Instruction.Copy c = only(FROM + "COPY --from=build --chown=app:staff --chmod=0755 --link a.txt b/ /dst/\n",
                Instruction.Copy.class);
        assertEquals(List.of("a.txt", "b/"), c.sources());
        assertEquals("/dst/", c.destination());
        assertEquals("build", c.from());
        assertEquals("app:staff", c.chown());
        assertEquals(0755, c.chmod().octal());
        assertTrue(c.link());

        Instruction.Copy json = only(FROM + "COPY [\"my file.txt\", \"/dst dir/\"]\n", Instruction.Copy.class);
        assertEquals(List.of("my file.txt"), json.sources());
        assertEquals("/dst dir/", json.destination());
        assertNull(json.from());
        assertNull(json.chown());
        assertNull(json.chmod());
        assertFalse(json.link());
    }

    @Test
    void copyChownIsExpandedAndQuotedFlagsAreUnquoted() {
        Recipe r = parse(FROM + "ARG UID=1001\nCOPY --chown=\"$UID:0\" --chmod=\"644\" x /x\n");
        Instruction.Copy c = assertInstanceOf(Instruction.Copy.class, r.lastStage().instructions().get(1));
        assertEquals("1001:0", c.chown());
        assertEquals(0644, c.chmod().octal());
    }

    @Test
    void addFlags() {
        Instruction.Add a = only(FROM + "ADD --checksum=sha256:abc --unpack=false --keep-git-dir "
                + "https://example.com/x.tar.gz /opt/\n", Instruction.Add.class);
        assertEquals(List.of("https://example.com/x.tar.gz"), a.sources());
        assertEquals("sha256:abc", a.checksum());
        assertEquals(Boolean.FALSE, a.unpack());
        assertTrue(a.keepGitDir());
        assertNull(only(FROM + "ADD a /b\n", Instruction.Add.class).unpack());
    }

    @Test
    void textIsTheTrimmedSourceOfTheInstruction() {
        Instruction.Copy c = only(FROM + "   COPY a \\\n  /b   \n", Instruction.Copy.class);
        assertEquals("COPY a   /b", c.text());
    }
}
