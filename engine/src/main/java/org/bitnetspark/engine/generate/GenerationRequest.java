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
 * @param overflow what to do with a prompt that leaves no room in the context
 */
public record GenerationRequest(String id, String prompt, int maxTokens, SamplingParams sampling,
    List<String> stopStrings, TokenListener listener, PromptOverflow overflow) {

  public static final int DEFAULT_MAX_TOKENS = 128;

  public GenerationRequest {
    if (maxTokens < 1) throw new IllegalArgumentException("max-tokens " + maxTokens + " must be at least 1");
    stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
    for (String s : stopStrings) {
      if (s.isEmpty()) throw new IllegalArgumentException("a stop string must not be empty");
    }
    if (overflow == null) overflow = PromptOverflow.ERROR;
  }

  public GenerationRequest(String id, String prompt, int maxTokens, SamplingParams sampling, List<String> stopStrings,
      TokenListener listener) {
    this(id, prompt, maxTokens, sampling, stopStrings, listener, PromptOverflow.ERROR);
  }

  public GenerationRequest(String id, String prompt, int maxTokens, SamplingParams sampling) {
    this(id, prompt, maxTokens, sampling, List.of(), null, PromptOverflow.ERROR);
  }

  /** A prompt too long for the context: an error, or keep its end. */
  public enum PromptOverflow {
    /** The request fails with a message giving both lengths. */
    ERROR,
    /**
     * Keep BOS (if the model adds one) and the prompt's last tokens, so that the prompt fills at most
     * the context minus {@code min(maxTokens, context/2)}: the text nearest the continuation matters most.
     */
    TRUNCATE;

    public static PromptOverflow parse(String s) {
      try {
        return valueOf(s.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("prompt-overflow '" + s + "' is not one of error, truncate");
      }
    }
  }

  /** Streams generated text. */
  @FunctionalInterface
  public interface TokenListener {
    /** Called with each new piece of final text (complete characters, never part of a stop string). */
    void onText(String text);
  }
}
