package org.bitnetspark.engine.generate;

import java.util.List;

/**
 * One prompt to complete.
 *
 * @param id the caller's identifier, returned in the result
 * @param prompt the text; must not be empty
 * @param maxTokens the most tokens to generate (at least 1)
 * @param sampling how to pick tokens; its seed makes the result reproducible
 * @param stopStrings texts that end the generation (not included in the output)
 * @param listener receives text as it is generated, or null
 */
public record GenerationRequest(String id, String prompt, int maxTokens, SamplingParams sampling,
    List<String> stopStrings, TokenListener listener) {

  public static final int DEFAULT_MAX_TOKENS = 128;

  public GenerationRequest {
    if (maxTokens < 1) throw new IllegalArgumentException("max-tokens " + maxTokens + " must be at least 1");
    stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
    for (String s : stopStrings) {
      if (s.isEmpty()) throw new IllegalArgumentException("a stop string must not be empty");
    }
  }

  public GenerationRequest(String id, String prompt, int maxTokens, SamplingParams sampling) {
    this(id, prompt, maxTokens, sampling, List.of(), null);
  }

  /** Streams generated text. */
  @FunctionalInterface
  public interface TokenListener {
    /** Called with each new piece of final text (complete characters, never part of a stop string). */
    void onText(String text);
  }
}
