package io.sightline.spark;

import io.sightline.core.embed.ImageEmbedder;
import java.io.Serializable;

/**
 * Creates an {@link ImageEmbedder} on an executor. Embedders hold native resources (ONNX sessions,
 * OpenCV matrices) and are not serializable, so Spark jobs ship this factory instead: it is
 * serialized with the task, called once per partition, and the embedder it returns is closed when
 * the partition is done.
 *
 * <p>Write it as a lambda or a small class whose fields are serializable (model paths, not loaded
 * models), e.g. {@code GlobalDescriptorEmbedder::new} or
 * {@code () -> OnnxImageEmbedder.load(Path.of("/models/resnet50.onnx"), ...)}; the model file
 * must exist at that path on every executor (shared storage or {@code spark-submit --files}).
 */
@FunctionalInterface
public interface EmbedderFactory extends Serializable {
  /** @return a new embedder, owned (and closed) by the caller */
  ImageEmbedder create();
}
