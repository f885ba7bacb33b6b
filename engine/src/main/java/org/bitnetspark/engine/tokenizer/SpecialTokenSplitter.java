package org.bitnetspark.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits text at special-token texts, as llama.cpp's {@code tokenizer_st_partition} does: special
 * tokens are tried longest first, each splitting every remaining raw-text fragment. User-defined
 * tokens are always recognised; control and unknown tokens only when {@code parseSpecial} is set.
 */
final class SpecialTokenSplitter {
  /** A fragment: raw text ({@code token == -1}) or one special token. */
  record Fragment(String text, int token) {
    boolean isText() {
      return token < 0;
    }
  }

  private SpecialTokenSplitter() {}

  static List<Fragment> split(Vocabulary vocab, String text, boolean parseSpecial) {
    List<Fragment> fragments = new ArrayList<>();
    fragments.add(new Fragment(text, -1));
    for (int special : vocab.specialTokensLongestFirst()) {
      int type = vocab.type(special);
      if (!parseSpecial && type != Vocabulary.USER_DEFINED) continue;
      String s = vocab.text(special);
      List<Fragment> next = new ArrayList<>(fragments.size());
      for (Fragment f : fragments) {
        if (!f.isText() || !f.text().contains(s)) {
          next.add(f);
          continue;
        }
        String rest = f.text();
        int at;
        while ((at = rest.indexOf(s)) >= 0) {
          if (at > 0) next.add(new Fragment(rest.substring(0, at), -1));
          next.add(new Fragment(s, special));
          rest = rest.substring(at + s.length());
        }
        if (!rest.isEmpty()) next.add(new Fragment(rest, -1));
      }
      fragments = next;
    }
    return fragments;
  }
}
