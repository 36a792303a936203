package dev.sekisho;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** bin/sekisho, run against a stand-in JDK whose java prints the arguments it was given. */
class LauncherTest {
    private static final String C2_THRESHOLD = "-XX:Tier4InvocationThreshold=50000";
    private static final String HUGE_PAGES = "-XX:+UseTransparentHugePages";

    @TempDir
    Path dir;

    @Test
    void dmarcImportAloneGetsItsJvmOptionsBeforeTheDefaults() throws Exception {
        List<String> imported = launch(null, "dmarc", "import", "reports/");
        assertThat(imported).contains(C2_THRESHOLD, "-XX:Tier4CompileThreshold=150000", "-XX:Tier4BackEdgeThreshold=400000", "-Xmx768m");
        assertThat(imported.indexOf(C2_THRESHOLD)).isLessThan(imported.indexOf("-Xmx768m"));
        assertThat(imported).endsWith("-jar", dir.resolve("target/sekisho.jar").toString(), "dmarc", "import", "reports/");

        for (String[] other : new String[][]{{"serve"}, {"dmarc", "summary"}, {"--version"}, {"import", "dmarc"}}) {
            assertThat(launch(null, other)).as(String.join(" ", other)).doesNotContain(C2_THRESHOLD, HUGE_PAGES).contains("-Xmx768m");
        }
    }

    @Test
    void hugePagesAreAskedForOnlyWhereTheKernelGivesThemOnRequest() throws Exception {
        assertThat(launchWithThpSetting("always [madvise] never\n")).contains(HUGE_PAGES);
        assertThat(launchWithThpSetting("[always] madvise never\n")).as("given unasked").doesNotContain(HUGE_PAGES);
        assertThat(launchWithThpSetting("always madvise [never]\n")).doesNotContain(HUGE_PAGES);
        assertThat(launchWithThpSetting(null)).as("no such setting (an old kernel, a container)").doesNotContain(HUGE_PAGES);
    }

    @Test
    void javaOptsAreNeverTakenForFileNames() throws Exception {
        Files.createFile(dir.resolve("-Xlog:gcX"));
        assertThat(launch("-Xlog:gc* -Xmx1g", "serve")).contains("-Xlog:gc*", "-Xmx1g").doesNotContain("-Xlog:gcX");
    }

    private List<String> launchWithThpSetting(String setting) throws Exception {
        Path file = dir.resolve("thp-enabled");
        Files.deleteIfExists(file);
        if (setting != null) Files.writeString(file, setting);
        return launch(null, Map.of("SEKISHO_THP_SETTING", file.toString()), "dmarc", "import", "x");
    }

    @Test
    void sekishoJavaOptsStillReplaceTheDefaultsAndComeLastSoTheyWin() throws Exception {
        List<String> args = launch("-Xmx2g -XX:Tier4InvocationThreshold=5000", "dmarc", "import", "x");
        assertThat(args).doesNotContain("-Xmx768m").contains(C2_THRESHOLD, "-Xmx2g");
        assertThat(args.lastIndexOf("-XX:Tier4InvocationThreshold=5000")).isGreaterThan(args.indexOf(C2_THRESHOLD));
    }

    /** Runs a copy of bin/sekisho with a built jar in place (so it builds nothing) and returns java's arguments. */
    private List<String> launch(String javaOpts, String... command) throws Exception {
        return launch(javaOpts, Map.of("SEKISHO_THP_SETTING", dir.resolve("no-thp-setting").toString()), command);
    }

    private List<String> launch(String javaOpts, Map<String, String> extraEnv, String... command) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(Path.of("bin/sekisho"), bin.resolve("sekisho"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(dir.resolve("target"));
        if (!Files.exists(dir.resolve("target/sekisho.jar"))) Files.createFile(dir.resolve("target/sekisho.jar"));
        Path jdk = dir.resolve("jdk");
        Files.createDirectories(jdk.resolve("bin"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25\"\n");
        Path java = jdk.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        List<String> cmd = new ArrayList<>(List.of("bash", bin.resolve("sekisho").toString()));
        cmd.addAll(List.of(command));
        // Run in the temporary directory, where a test may leave files that look like options.
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.putAll(extraEnv);
        env.put("JAVA_HOME", jdk.toString());
        if (javaOpts == null) env.remove("SEKISHO_JAVA_OPTS");
        else env.put("SEKISHO_JAVA_OPTS", javaOpts);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out.lines().toList();
    }
}
