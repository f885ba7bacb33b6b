package org.bitnetspark.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.bitnetspark.engine.model.ModelPart.Range;
import org.junit.jupiter.api.Test;

/** Stage boundaries worked out by hand: the largest stage (its layers, plus the head on the last) is minimal. */
class PipelinePlanTest {
  @Test
  void equalLayersSplitEvenlyWhenTheHeadIsFree() {
    assertEquals(List.of(new Range(0, 2), new Range(2, 4)), PipelinePlan.balance(new long[] {10, 10, 10, 10}, 0, 0, 2));
  }

  @Test
  void theHeadPushesLayersToEarlierStages() {
    // last stage pays 25 for the head: {10,10,10} | {10}+25 = 30 | 35 beats {10,10} | {10,10}+25 = 20 | 45
    assertEquals(List.of(new Range(0, 3), new Range(3, 4)), PipelinePlan.balance(new long[] {10, 10, 10, 10}, 25, 0, 2));
  }

  @Test
  void unevenLayersAndThreeStages() {
    // {4,6} | {20,9} | {11,10}: worst 29. The 20 alone leaves {9,11,10} = 30; with the 6 (26) the last
    // stage is again 30; with 9 and 11 it is 40; so 29 is the unique optimum
    assertEquals(List.of(new Range(0, 2), new Range(2, 4), new Range(4, 6)),
        PipelinePlan.balance(new long[] {4, 6, 20, 9, 11, 10}, 0, 0, 3));
  }

  @Test
  void aSeparateEmbeddingWeighsOnTheFirstStage() {
    // embedding 25 on stage 0, head 25 on stage 1: {10}+25 | {10,10,10}+25 = 35 | 55 loses to
    // {10,10}+25 | {10,10}+25 = 45 | 45
    assertEquals(List.of(new Range(0, 2), new Range(2, 4)), PipelinePlan.balance(new long[] {10, 10, 10, 10}, 25, 25, 2));
    // without the embedding charge the head pushes a layer forward: {10,10,10} | {10}+25
    assertEquals(List.of(new Range(0, 3), new Range(3, 4)), PipelinePlan.balance(new long[] {10, 10, 10, 10}, 25, 0, 2));
  }

  @Test
  void everyStageGetsAtLeastOneLayer() {
    assertEquals(List.of(new Range(0, 1), new Range(1, 2)), PipelinePlan.balance(new long[] {1, 1}, 1000, 0, 2));
  }
}
