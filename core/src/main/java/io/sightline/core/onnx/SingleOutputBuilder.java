package io.sightline.core.onnx;

/**
 * Builder options of the ONNX models that read one output tensor per image batch (embedders and
 * classifiers): which output, and how many images per inference. Fluent; not thread-safe.
 *
 * @param <B> the concrete builder
 */
public abstract class SingleOutputBuilder<B extends SingleOutputBuilder<B>> extends OnnxModelBuilder<B> {
  String outputName;
  int outputIndex;
  int batchSize = 16;

  SingleOutputBuilder(ResizeMode defaultResize) {
    super(defaultResize);
  }

  @SuppressWarnings("unchecked")
  private B me() {
    return (B) this;
  }

  /**
   * @param name the output to read (default: the first output)
   * @return this
   */
  public B outputName(String name) {
    this.outputName = name;
    return me();
  }

  /**
   * @param index the output to read, in model order, when no name is given
   * @return this
   */
  public B outputIndex(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("output index must be >= 0: " + index);
    }
    this.outputIndex = index;
    return me();
  }

  /**
   * @param size images per inference in batched calls (default 16)
   * @return this
   */
  public B batchSize(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("batch size must be positive: " + size);
    }
    this.batchSize = size;
    return me();
  }
}
