package org.bitnetspark.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Captured reads, merged, serialised and served back; reads outside the part are named errors. */
class PartialModelSourceTest {
  @Test
  void servesExactlyTheCapturedRanges() throws Exception {
    byte[] file = new byte[1000];
    for (int i = 0; i < file.length; i++) file[i] = (byte) (i * 7);
    ByteArrayModelSource whole = new ByteArrayModelSource("mem:model", file);
    byte[] part = PartialModelSource.capture(whole, s -> {
      try {
        s.slice(100, 50);
        s.slice(140, 30); // overlaps the first: merged into [100, 170)
        s.slice(900, 10);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    PartialModelSource p = PartialModelSource.fromBytes(part);
    assertEquals("mem:model", p.uri());
    assertEquals(1000, p.size());
    assertEquals(80, p.heldBytes());
    ByteBuffer b = p.slice(150, 20);
    for (int i = 0; i < 20; i++) assertEquals(file[150 + i], b.get(i));
    assertEquals(file[909], p.slice(909, 1).get(0));
    Exception e = assertThrows(IllegalArgumentException.class, () -> p.slice(165, 10));
    assertTrue(e.getMessage().contains("not in this model part"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> p.slice(0, 1));
  }
}
