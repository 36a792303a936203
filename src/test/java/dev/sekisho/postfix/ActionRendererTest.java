package dev.sekisho.postfix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sekisho.engine.Action;
import dev.sekisho.engine.Action.Kind;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ActionRendererTest {

    private static final Set<Kind> COVERED = EnumSet.noneOf(Kind.class);

    private static void assertRenders(Action action, String expected) {
        COVERED.add(action.kind());
        assertThat(new String(ActionRenderer.render(action), StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(ActionRenderer.render(action)).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
        assertThat(ActionRenderer.renderText(action)).isEqualTo(expected);
    }

    @Test
    void rejectWithCodeAndStatus() {
        assertRenders(Action.reject(550, "5.7.1", "Sending from abroad is disabled for this account"),
                "action=550 5.7.1 Sending from abroad is disabled for this account\n\n");
    }

    @Test
    void deferWithCodeAndStatus() {
        assertRenders(Action.defer(450, "4.7.1", "Greylisted, try again later"),
                "action=450 4.7.1 Greylisted, try again later\n\n");
    }

    @Test
    void codeWithoutStatus() {
        assertRenders(Action.defer(421, "", "Too many connections"), "action=421 Too many connections\n\n");
    }

    @Test
    void codeWithoutTextGetsPostfixsOwnDefaultText() {
        // Postfix takes "5NN text" only with text after the code
        assertRenders(Action.reject(554, "5.7.1", ""), "action=554 5.7.1 Access denied\n\n");
        assertRenders(Action.defer(450, "", null), "action=450 Access denied\n\n");
    }

    @Test
    void rejectAndDeferWithoutCode() {
        assertRenders(Action.of(Kind.REJECT, "Account locked"), "action=REJECT Account locked\n\n");
        assertRenders(Action.of(Kind.REJECT, ""), "action=REJECT\n\n");
        assertRenders(Action.of(Kind.DEFER, "Try later"), "action=DEFER Try later\n\n");
        assertRenders(Action.of(Kind.DEFER, ""), "action=DEFER\n\n");
    }

    @Test
    void actionsWithOptionalText() {
        assertRenders(Action.of(Kind.DEFER_IF_PERMIT, "Service unavailable"), "action=DEFER_IF_PERMIT Service unavailable\n\n");
        assertRenders(Action.of(Kind.DEFER_IF_PERMIT, ""), "action=DEFER_IF_PERMIT\n\n");
        assertRenders(Action.of(Kind.DEFER_IF_REJECT, "Not yet"), "action=DEFER_IF_REJECT Not yet\n\n");
        assertRenders(Action.of(Kind.DEFER_IF_REJECT, ""), "action=DEFER_IF_REJECT\n\n");
        assertRenders(Action.of(Kind.HOLD, "suspicious volume"), "action=HOLD suspicious volume\n\n");
        assertRenders(Action.of(Kind.HOLD, ""), "action=HOLD\n\n");
        assertRenders(Action.of(Kind.DISCARD, "mail bomb"), "action=DISCARD mail bomb\n\n");
        assertRenders(Action.of(Kind.DISCARD, ""), "action=DISCARD\n\n");
        assertRenders(Action.of(Kind.INFO, "rate 80% of limit"), "action=INFO rate 80% of limit\n\n");
        assertRenders(Action.of(Kind.INFO, ""), "action=INFO\n\n");
        assertRenders(Action.of(Kind.WARN, "would reject: dry run"), "action=WARN would reject: dry run\n\n");
        assertRenders(Action.of(Kind.WARN, ""), "action=WARN\n\n");
    }

    @Test
    void actionsWithArguments() {
        assertRenders(Action.of(Kind.FILTER, "smtp-bad:[10.0.0.9]:25"), "action=FILTER smtp-bad:[10.0.0.9]:25\n\n");
        assertRenders(Action.of(Kind.REDIRECT, "quarantine@example.test"), "action=REDIRECT quarantine@example.test\n\n");
        assertRenders(Action.of(Kind.BCC, "abuse-copy@example.test"), "action=BCC abuse-copy@example.test\n\n");
        assertRenders(Action.of(Kind.PREPEND, "X-Sekisho: rate=42/100"), "action=PREPEND X-Sekisho: rate=42/100\n\n");
    }

    @Test
    void okAndDunno() {
        assertRenders(Action.OK, "action=OK\n\n");
        assertRenders(Action.DUNNO, "action=DUNNO\n\n");
    }

    @Test
    void textIsUtf8() {
        assertRenders(Action.of(Kind.REJECT, "海外からの送信は停止中です"), "action=REJECT 海外からの送信は停止中です\n\n");
    }

    @Test
    void everyKindIsRendered() {
        actionsWithOptionalText();
        actionsWithArguments();
        okAndDunno();
        rejectAndDeferWithoutCode();
        assertThat(COVERED).containsExactlyInAnyOrder(Kind.values());
    }
}
