package dev.sekisho.engine;

import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ActionTest {

    @Test
    void rejectAndDeferKeepTheirReplyCodeClass() {
        assertThatThrownBy(() -> Action.reject(450, "4.7.1", "x")).hasMessageContaining("500..599");
        assertThatThrownBy(() -> Action.defer(554, "5.7.1", "x")).hasMessageContaining("400..499");
        assertThat(Action.defer(421, "4.7.0", "go away").code()).isEqualTo(421);
    }

    @Test
    void enhancedStatusMustFollowTheReplyCodeClass() {
        // RFC 3463 3.1
        assertThatThrownBy(() -> Action.reject(550, "4.7.1", "x")).hasMessageContaining("does not match reply code 550");
        assertThatThrownBy(() -> Action.reject(550, "5.7", "x")).hasMessageContaining("not an RFC 3463");
        assertThatThrownBy(() -> new Action(Action.Kind.REJECT, 0, "5.7.1", "x")).hasMessageContaining("needs a reply code");
    }

    @Test
    void textIsOneLineSoItCannotInjectProtocolLines() {
        assertThatThrownBy(() -> Action.of(Action.Kind.WARN, "a\naction=OK")).hasMessageContaining("one line");
    }

    @Test
    void argumentsAreValidatedPerKind() {
        assertThat(Action.of(Action.Kind.FILTER, "smtp:[127.0.0.1]:10025").argument()).isEqualTo("smtp:[127.0.0.1]:10025");
        assertThatThrownBy(() -> Action.of(Action.Kind.FILTER, "nothing")).hasMessageContaining("transport:destination");
        assertThatThrownBy(() -> Action.of(Action.Kind.REDIRECT, "not-an-address")).hasMessageContaining("user@domain");
        assertThatThrownBy(() -> Action.of(Action.Kind.PREPEND, "no header")).hasMessageContaining("Header-Name");
        assertThatThrownBy(() -> Action.of(Action.Kind.OK, "text")).hasMessageContaining("takes no text");
    }

    @Test
    void prependIsNotAllowedAtEndOfMessageAndMessageActionsNeedAMessage() {
        Action prepend = Action.of(Action.Kind.PREPEND, "X-Sekisho: checked");
        assertThat(prepend.allowedAt(Stage.RCPT)).isTrue();
        assertThat(prepend.allowedAt(Stage.END_OF_MESSAGE)).isFalse();
        assertThat(Action.of(Action.Kind.HOLD, "").allowedAt(Stage.END_OF_MESSAGE)).isTrue();
        assertThat(Action.of(Action.Kind.HOLD, "").allowedAt(Stage.VRFY)).isFalse();
        assertThat(Action.reject(554, "5.7.1", "").allowedAt(Stage.ETRN)).isTrue();
    }

    @Test
    void messageActionsAreNotAllowedBeforeMailFromWherePostfixSkipsThem() {
        for (Action.Kind kind : List.of(Action.Kind.HOLD, Action.Kind.DISCARD)) {
            Action action = Action.of(kind, "");
            assertThat(action.allowedAt(Stage.CONNECT)).as(kind + " at CONNECT").isFalse();
            assertThat(action.allowedAt(Stage.HELO)).as(kind + " at HELO").isFalse();
            assertThat(action.allowedAt(Stage.MAIL)).as(kind + " at MAIL").isTrue();
        }
        assertThat(Action.of(Action.Kind.PREPEND, "X-Sekisho: checked").allowedAt(Stage.HELO)).isFalse();
        assertThat(Action.of(Action.Kind.FILTER, "smtp:[127.0.0.1]:10025").allowedAt(Stage.CONNECT)).isFalse();
        assertThat(Action.of(Action.Kind.BCC, "archive@example.org").allowedAt(Stage.CONNECT)).isFalse();
        assertThat(Action.of(Action.Kind.REDIRECT, "abuse@example.org").allowedAt(Stage.HELO)).isFalse();
        // Refusals and the rest stay allowed wherever Postfix asks.
        assertThat(Action.reject(554, "5.7.1", "").allowedAt(Stage.CONNECT)).isTrue();
        assertThat(Action.of(Action.Kind.WARN, "noted").allowedAt(Stage.HELO)).isTrue();
    }

    @Test
    void onlyRefusalsDoNotAccept() {
        assertThat(Action.Kind.DEFER_IF_PERMIT.accepts()).isFalse();
        assertThat(Action.Kind.REJECT.accepts()).isFalse();
        assertThat(Action.Kind.HOLD.accepts()).isTrue();
        assertThat(Action.Kind.DISCARD.accepts()).isTrue();
    }
}
