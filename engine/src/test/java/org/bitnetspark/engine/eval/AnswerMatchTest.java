package org.bitnetspark.engine.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The normalisation and the two generation metrics on hand-made cases. */
class AnswerMatchTest {
  @Test
  void normalizes() {
    assertEquals("eiffeltower", AnswerMatch.normalize("  The Eiffel-Tower. "), "punctuation is removed, as SQuAD's script does");
    assertEquals("eiffel tower", AnswerMatch.normalize("The Eiffel Tower!"));
    assertEquals("cat sat on mat", AnswerMatch.normalize("A cat sat on the mat"));
    assertEquals("theatre", AnswerMatch.normalize("Theatre"), "articles only as whole words");
    assertEquals("12500", AnswerMatch.normalize("\uff11\uff12,\uff15\uff10\uff10"), "NFKC folds full-width digits");
    assertEquals("café", AnswerMatch.normalize("CAFÉ"));
    assertEquals("", AnswerMatch.normalize("the."));
  }

  @Test
  void exactMatchAnyReference() {
    assertTrue(AnswerMatch.exactMatch("The Eiffel Tower.", List.of("Big Ben", "eiffel tower")));
    assertFalse(AnswerMatch.exactMatch("The Eiffel Tower in Paris", List.of("eiffel tower")));
    assertFalse(AnswerMatch.exactMatch("anything", List.of()));
  }

  @Test
  void containsWholeWords() {
    assertTrue(AnswerMatch.contains("It is the Eiffel Tower, in Paris.", List.of("eiffel tower")));
    assertFalse(AnswerMatch.contains("a good start", List.of("art")), "not inside a word");
    assertTrue(AnswerMatch.contains("art", List.of("art")));
    assertFalse(AnswerMatch.contains("anything", List.of("the")), "a reference that normalises to nothing never matches");
  }
}
