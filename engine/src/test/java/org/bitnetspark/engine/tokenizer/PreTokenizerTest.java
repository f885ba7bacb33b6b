package org.bitnetspark.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * The pre-tokenizer regexes split words as the GPT-2 and LLaMA-3 tokenizers define them (the
 * expected splits follow from the patterns' alternatives, worked out by hand). The GPT-2 one is also
 * covered end to end by llama.cpp's test vectors; no LLaMA-3 vocabulary is in the fixtures, so its
 * splits are pinned here.
 */
class PreTokenizerTest {

  private static List<String> split(ByteLevelBpeTokenizer.PreTokenizer p, String text) {
    List<String> out = new ArrayList<>();
    Matcher m = p.pattern.matcher(text);
    while (m.find()) out.add(m.group());
    return out;
  }

  @Test
  void llama3GroupsDigitsInThreesAndLowercasesNoContraction() {
    var p = ByteLevelBpeTokenizer.PreTokenizer.LLAMA3;
    // \p{N}{1,3}: digits in runs of at most three; a letter run takes one leading non-letter
    assertEquals(List.of("Hello", " world", "123", "456", "7"), split(p, "Hello world1234567"));
    // contractions are case-insensitive in LLaMA-3 ('[mM]), case-sensitive in GPT-2
    assertEquals(List.of("I", "'M", " here"), split(p, "I'M here"));
    assertEquals(List.of("I", "'", "M", " here"), split(ByteLevelBpeTokenizer.PreTokenizer.GPT2, "I'M here"));
    // newlines: punctuation takes trailing newlines; runs of newlines stay together with leading spaces
    assertEquals(List.of("end", ".\n\n", "Next"), split(p, "end.\n\nNext"));
    assertEquals(List.of("a", "  \n", "b"), split(p, "a  \nb"));
    // \s+(?!\S): a run of spaces before a word leaves its last space to the word
    assertEquals(List.of("x", "  ", " y"), split(p, "x   y"));
  }

  @Test
  void gpt2KeepsDigitRunsWhole() {
    assertEquals(List.of("abc", " 12345"), split(ByteLevelBpeTokenizer.PreTokenizer.GPT2, "abc 12345"));
  }
}
