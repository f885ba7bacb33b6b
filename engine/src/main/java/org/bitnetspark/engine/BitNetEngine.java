package org.bitnetspark.engine;

import java.util.Iterator;
import java.util.function.Consumer;
import org.bitnetspark.engine.eval.MultipleChoiceScorer;
import org.bitnetspark.engine.eval.PerplexityScorer;
import org.bitnetspark.engine.generate.BatchScheduler;
import org.bitnetspark.engine.generate.GenerationRequest;
import org.bitnetspark.engine.generate.GenerationResult;
import org.bitnetspark.engine.kernel.Compute;
import org.bitnetspark.engine.kernel.Kernels;
import org.bitnetspark.engine.kernel.ParallelRows;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.Forward;
import org.bitnetspark.engine.model.ForwardPass;
import org.bitnetspark.engine.model.ModelLoader;

/**
 * The engine's entry point: a loaded model plus how to run it. The model is immutable and may be
 * shared by many engines; an engine owns its thread pool and creates forward passes, schedulers
 * and scorers, each for one thread of control. Close it to stop its threads.
 */
public final class BitNetEngine implements AutoCloseable {
  private final BitNetModel model;
  private final EngineOptions options;
  private final ParallelRows parallel;
  private Forward groupForward; // set when this engine drives a model-parallel group

  public BitNetEngine(BitNetModel model, EngineOptions options) {
    this.model = model;
    this.options = options;
    this.parallel = new ParallelRows(options.threads());
  }

  /** Loads a model from a path, a URI or {@code default} (the bundled model). */
  public static BitNetEngine open(String location, EngineOptions options) {
    return new BitNetEngine(ModelLoader.load(location), options);
  }

  public BitNetModel model() {
    return model;
  }

  public EngineOptions options() {
    return options;
  }

  /** What a forward pass computes with: the kernels, this engine's threads and activation scheme. */
  public Compute newCompute() {
    return new Compute(Kernels.get(), parallel, options.activationQuant());
  }

  public ForwardPass newForwardPass() {
    return new ForwardPass(model, newCompute());
  }

  /**
   * Makes this engine's schedulers and scorers run through a model-parallel group's controller
   * (org.bitnetspark.engine.parallel.GroupMember) instead of a local forward pass; set once.
   */
  public void driveGroup(Forward controller) {
    if (groupForward != null) throw new IllegalStateException("this engine already drives a group");
    groupForward = controller;
  }

  /** A local forward pass, or the group's controller. */
  public Forward newForward() {
    return groupForward != null ? groupForward : newForwardPass();
  }

  public BatchScheduler newScheduler(int batchSize) {
    return new BatchScheduler(newForward(), options.kvCache(), batchSize);
  }

  public PerplexityScorer newPerplexityScorer() {
    return new PerplexityScorer(newForward(), options.kvCache());
  }

  /**
   * A multiple-choice scorer; {@code shareContext} evaluates each task's shared prefix once,
   * {@code separator} joins context and choice (null: {@link MultipleChoiceScorer#DEFAULT_SEPARATOR}).
   */
  public MultipleChoiceScorer newMultipleChoiceScorer(boolean shareContext, String separator) {
    return new MultipleChoiceScorer(newForward(), options.kvCache(), shareContext, separator);
  }

  /** Generates for every request with continuous batching; results in completion order. */
  public void generate(Iterator<GenerationRequest> requests, int batchSize, Consumer<GenerationResult> sink) {
    newScheduler(batchSize).run(requests, sink);
  }

  public GenerationResult generate(GenerationRequest request) {
    return newScheduler(1).generate(request);
  }

  @Override
  public void close() {
    parallel.close();
  }
}
