package org.phong.zenflow.logging.it;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the headless-Chromium tests of the log page ({@code src/test/browser/live-tail.mjs} and
 * {@code log-viewer.mjs}, playwright-core driving Debian's {@code /usr/bin/chromium}).
 * {@code -Dit.screenshot=docs/img/live-tail.png} and {@code -Dit.screenshots=docs/img} save the pictures. Needs {@code node}, {@code npm ci}
 * (node_modules) and chromium: {@code .ci/run} installs them when missing. It fails, not skips,
 * when they are missing, so CI cannot pass without it.
 */
class BrowserIT {

    @Test
    void liveTailPageInHeadlessChromium() throws Exception {
        run("live-tail.mjs", 5);
    }

    /** The whole-run viewer: a million-entry run (-Dit.browser.big-run), search, download, nodes, URL, follow. */
    @Test
    void logViewerOverAMillionEntryRunInHeadlessChromium() throws Exception {
        run("log-viewer.mjs", 15);
    }

    private static void run(String script, int minutes) throws Exception {
        ItEnvironment.awaitReady();
        Path root = Path.of(System.getProperty("user.dir"));
        String chromium = System.getProperty("it.chromium", "/usr/bin/chromium");
        assertTrue(Files.isExecutable(Path.of(chromium)), chromium + " missing: apt-get install chromium (see .ci/run)");
        assertTrue(Files.isDirectory(root.resolve("node_modules/playwright-core")), "node_modules missing: run npm ci (see .ci/run)");
        ProcessBuilder pb = new ProcessBuilder("node", "src/test/browser/" + script)
                .directory(root.toFile()).redirectErrorStream(true);
        pb.environment().put("BASE_URL", ItEnvironment.baseUrl());
        pb.environment().put("CHROMIUM", chromium);
        String shot = System.getProperty("it.screenshot");
        if (shot != null && !shot.isBlank()) pb.environment().put("SCREENSHOT", new File(shot).getAbsolutePath());
        String shots = System.getProperty("it.screenshots");
        if (shots != null && !shots.isBlank()) pb.environment().put("SHOTS", new File(shots).getAbsolutePath());
        String big = System.getProperty("it.browser.big-run");
        if (big != null && !big.isBlank()) pb.environment().put("BIG_RUN", big);
        Process p = pb.start();
        // Through System.out (not inherited): the forked test JVM's own stdout carries failsafe's protocol.
        Thread pump = new Thread(() -> {
            try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) System.out.println(line);
            } catch (java.io.IOException e) {
                System.out.println("[browser] output lost: " + e);
            }
        }, "browser-test-output");
        pump.setDaemon(true);
        pump.start();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("the browser test " + script + " did not finish in " + minutes + " minutes");
        }
        pump.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(0, p.exitValue(), "the browser test " + script + " failed (its output is above)");
    }
}
