package org.bitnetspark.engine.generate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds the generated text from token bytes: characters are released only once complete (a
 * UTF-8 character may span tokens), and text that could still be the start of a stop string is
 * held back, so a listener never sees a stop string or half a character.
 */
final class TextAssembler {
  private final List<String> stopStrings;
  private final int holdBack;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private final StringBuilder text = new StringBuilder();
  private int released;
  private boolean stopped;

  TextAssembler(List<String> stopStrings) {
    this.stopStrings = stopStrings;
    this.holdBack = stopStrings.stream().mapToInt(String::length).max().orElse(1) - 1;
  }

  /** Adds a token's bytes; returns true if a stop string is now complete. */
  boolean add(byte[] bytes) {
    pending.writeBytes(bytes);
    byte[] all = pending.toByteArray();
    int complete = completeUtf8Prefix(all);
    if (complete > 0) {
      int searchFrom = Math.max(0, text.length() - holdBack);
      text.append(new String(all, 0, complete, StandardCharsets.UTF_8));
      pending.reset();
      pending.write(all, complete, all.length - complete);
      for (String s : stopStrings) {
        int at = text.indexOf(s, searchFrom);
        if (at >= 0) {
          text.setLength(at);
          stopped = true;
        }
      }
    }
    return stopped;
  }

  /** Text that is final now: everything but the hold-back (all of it once finished). */
  String release(boolean finished) {
    int end = finished || stopped ? text.length() : Math.max(released, text.length() - holdBack);
    String out = text.substring(Math.min(released, end), end);
    released = Math.max(released, end);
    return out;
  }

  /** The whole text; incomplete trailing bytes become U+FFFD. */
  String finish() {
    if (pending.size() > 0 && !stopped) {
      text.append(pending.toString(StandardCharsets.UTF_8));
      pending.reset();
    }
    return text.toString();
  }

  /** Length of the longest prefix that ends on a UTF-8 character boundary. */
  private static int completeUtf8Prefix(byte[] b) {
    int n = b.length;
    for (int back = 1; back <= Math.min(3, n); back++) {
      int lead = b[n - back] & 0xff;
      if ((lead & 0xc0) == 0x80) continue; // continuation byte: look further back
      int need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
      return need > back ? n - back : n;
    }
    return n;
  }
}
