package org.bitnetspark.spark.jobs;

import java.io.Serializable;
import org.bitnetspark.engine.eval.MultipleChoiceScorer;

/**
 * The evaluate job's scoring options.
 *
 * @param separator joins a multiple-choice context and each choice (lm-evaluation-harness's target
 *     delimiter; llama.cpp's HellaSwag uses the same single space)
 * @param shareContext evaluate each task's shared prefix once and reuse its KV cache for every choice
 *     (off only to measure what the reuse saves: the log-likelihoods are the same)
 */
public record EvalSettings(String separator, boolean shareContext) implements Serializable {
  public static final EvalSettings DEFAULT = new EvalSettings(MultipleChoiceScorer.DEFAULT_SEPARATOR, true);

  public EvalSettings {
    if (separator == null) separator = MultipleChoiceScorer.DEFAULT_SEPARATOR;
  }
}
