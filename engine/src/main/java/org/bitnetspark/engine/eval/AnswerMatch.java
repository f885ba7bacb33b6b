package org.bitnetspark.engine.eval;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Exact-match and contains metrics of generation tasks, after the normalisation of the SQuAD
 * evaluation script that lm-evaluation-harness and most QA benchmarks use (plus Unicode NFKC):
 * lower case, punctuation removed, the articles a/an/the removed, whitespace collapsed.
 * So {@code "The Eiffel Tower."} matches the reference {@code "eiffel tower"}.
 */
public final class AnswerMatch {
  private static final Pattern PUNCTUATION = Pattern.compile("[\\p{P}\\p{S}]");
  private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b");
  private static final Pattern SPACES = Pattern.compile("\\s+");

  private AnswerMatch() {}

  public static String normalize(String text) {
    String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    s = PUNCTUATION.matcher(s).replaceAll("");
    s = ARTICLES.matcher(s).replaceAll(" ");
    return SPACES.matcher(s).replaceAll(" ").trim();
  }

  /** The normalised completion equals some normalised reference. */
  public static boolean exactMatch(String completion, List<String> references) {
    String c = normalize(completion);
    for (String r : references) {
      if (r != null && normalize(r).equals(c)) return true;
    }
    return false;
  }

  /**
   * Some non-empty normalised reference occurs in the normalised completion as whole words (so
   * {@code "art"} is not found in {@code "start"}).
   */
  public static boolean contains(String completion, List<String> references) {
    String c = " " + normalize(completion) + " ";
    for (String r : references) {
      if (r == null) continue;
      String n = normalize(r);
      if (!n.isEmpty() && c.contains(" " + n + " ")) return true;
    }
    return false;
  }
}
