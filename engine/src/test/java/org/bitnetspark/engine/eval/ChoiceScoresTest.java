package org.bitnetspark.engine.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The three decisions on hand-made scores. */
class ChoiceScoresTest {
  @Test
  void accAccNormAndPerTokenCanDisagree() {
    // choice 0: -6.0 over 12 bytes (-0.5/byte), 3 tokens (-2.0/token)
    // choice 1: -4.0 over  4 bytes (-1.0/byte), 1 token  (-4.0/token)
    // choice 2: -9.0 over 30 bytes (-0.3/byte), 6 tokens (-1.5/token)
    ChoiceScores s = new ChoiceScores(new double[] {-6.0, -4.0, -9.0}, new int[] {3, 1, 6}, new int[] {12, 4, 30}, 5, 15);
    assertEquals(1, s.chosen(), "acc: highest sum");
    assertEquals(2, s.chosenPerByte(), "acc_norm: highest per byte");
    assertEquals(2, s.chosenPerToken(), "per token");
    ChoiceScores t = new ChoiceScores(new double[] {-3.0, -2.0}, new int[] {3, 1}, new int[] {6, 1}, 5, 9);
    assertEquals(1, t.chosen());
    assertEquals(0, t.chosenPerByte(), "-0.5/byte beats -2.0/byte");
    assertEquals(0, t.chosenPerToken(), "-1.0/token beats -2.0/token");
  }

  @Test
  void tiesGoToTheLowestIndex() {
    ChoiceScores s = new ChoiceScores(new double[] {-1.0, -1.0}, new int[] {1, 1}, new int[] {2, 2}, 1, 3);
    assertEquals(0, s.chosen());
    assertEquals(0, s.chosenPerByte());
    assertEquals(0, s.chosenPerToken());
  }
}
