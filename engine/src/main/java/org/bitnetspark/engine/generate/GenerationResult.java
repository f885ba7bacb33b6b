package org.bitnetspark.engine.generate;

/**
 * The outcome of one {@link GenerationRequest}.
 *
 * @param id the request's id
 * @param promptTokens the prompt's token ids (empty if it failed before tokenisation)
 * @param tokens generated token ids (including an EOS token if one ended the generation)
 * @param text generated text, without the stop string
 * @param finishReason why it ended
 * @param error what went wrong, or null
 * @param latencyNanos from admission to completion
 */
public record GenerationResult(String id, int[] promptTokens, int[] tokens, String text, FinishReason finishReason,
    String error, long latencyNanos) {

  static GenerationResult failed(String id, String error) {
    return new GenerationResult(id, new int[0], new int[0], "", FinishReason.ERROR, error, 0);
  }
}
