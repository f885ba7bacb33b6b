package org.bitnetspark.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextAssemblerTest {

  @Test
  void releasesACharacterOnlyWhenAllItsBytesArrived() {
    TextAssembler t = new TextAssembler(List.of());
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // 3 bytes: E2 82 AC
    assertFalse(t.add(new byte[] {'a', euro[0]}));
    assertEquals("a", t.release(false));
    t.add(new byte[] {euro[1]});
    assertEquals("", t.release(false));
    t.add(new byte[] {euro[2], 'b'});
    assertEquals("€b", t.release(false));
    assertEquals("a€b", t.finish());
  }

  @Test
  void holdsBackWhatMayBecomeAStopString() {
    TextAssembler t = new TextAssembler(List.of("END"));
    t.add("abcE".getBytes(StandardCharsets.UTF_8));
    assertEquals("ab", t.release(false), "'cE' could still start 'END'");
    assertTrue(t.add("ND tail".getBytes(StandardCharsets.UTF_8)));
    assertEquals("c", t.release(true));
    assertEquals("abc", t.finish());
  }

  @Test
  void findsAStopStringSpanningTokens() {
    TextAssembler t = new TextAssembler(List.of("\n\n"));
    assertFalse(t.add("line\n".getBytes(StandardCharsets.UTF_8)));
    assertTrue(t.add("\nnext".getBytes(StandardCharsets.UTF_8)));
    assertEquals("line", t.finish());
  }
}
