package io.sightline.examples.cli;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ModelException;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.onnx.OnnxImageEmbedder;
import io.sightline.core.onnx.Preset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The image-embedder options every command that embeds images takes ({@code @Mixin}):
 * {@code --embedder FILE.onnx --preset NAME [--embedder-output NAME]}. Without them a new store
 * gets the training-free default embedder. Index and train commands record what built the store in
 * its folder ({@link EmbedderRecord}, {@value EmbedderRecord#FILE_NAME}); every command opening an
 * existing store rebuilds that embedder without being told, refuses options that name another one,
 * and refuses a recorded model file that is gone or whose bytes changed.
 *
 * <p>Usage errors (exit code 2): {@code --embedder} without {@code --preset}, {@code --preset} or
 * {@code --embedder-output} without {@code --embedder}, an unknown preset. A model that cannot be
 * loaded is a {@link ModelException} (exit code 1).
 */
public final class EmbedderOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  /** The value of {@code --embedder} that names the image encoder shipped in sightline-models. */
  public static final String BUILTIN = "sightline-clipart";
  /** The value of {@code --embedder} that names the training-free global descriptor. */
  public static final String DESCRIPTOR = "descriptor";

  @Option(names = "--embedder", paramLabel = "FILE.onnx|" + BUILTIN + "|" + DESCRIPTOR,
      description = "ONNX image model that makes the image vectors, with --preset; or '" + BUILTIN + "', the"
          + " project's own encoder of objects and drawings into the all-MiniLM-L6-v2 text space (no --preset);"
          + " or '" + DESCRIPTOR + "', the training-free colour/edge/layout descriptor. Default: " + DESCRIPTOR
          + " ('tag train': " + BUILTIN + "). Recorded with the store: commands reading the store use it without"
          + " being told")
  Path model;

  @Option(names = "--preset", paramLabel = "NAME",
      description = "preprocessing of the --embedder model's family: torchvision-imagenet, keras-caffe, clip,"
          + " dinov2, yolo or sightline-clipart")
  String preset;

  @Option(names = "--embedder-output", paramLabel = "NAME",
      description = "which output of the --embedder model holds the vector (default: the first)")
  String output;

  /**
   * The embedder the command line asks for, checked for usage errors.
   *
   * @param model the ONNX file
   * @param preset its preset
   * @param output output name, or null for the first
   */
  public record Asked(Path model, Preset preset, String output) {}

  /**
   * @return what the options ask for, or empty when none is given
   * @throws CommandLine.ParameterException on a usage error
   */
  public Optional<Asked> asked() {
    CommandLine cl = mixee.commandLine();
    if (model == null) {
      if (preset != null || output != null) {
        throw new CommandLine.ParameterException(cl, (preset != null ? "--preset" : "--embedder-output")
            + " needs --embedder FILE.onnx");
      }
      return Optional.empty();
    }
    if (descriptorNamed()) {
      if (preset != null || output != null) {
        throw new CommandLine.ParameterException(cl, "--embedder " + DESCRIPTOR + " takes no --preset or"
            + " --embedder-output");
      }
      return Optional.empty();
    }
    if (BUILTIN.equals(model.toString()) && !Files.exists(model)) {
      if (preset != null && !Preset.SIGHTLINE_CLIPART.cliName().equals(Preset.fromName(preset).cliName())) {
        throw new CommandLine.ParameterException(cl, "--embedder " + BUILTIN + " has its own preprocessing; leave"
            + " out --preset");
      }
      if (output != null) {
        throw new CommandLine.ParameterException(cl, "--embedder " + BUILTIN + " has one output; leave out"
            + " --embedder-output");
      }
      return Optional.of(new Asked(io.sightline.models.SightlineModels.clipartModelFile(), Preset.SIGHTLINE_CLIPART,
          null));
    }
    if (preset == null) {
      throw new CommandLine.ParameterException(cl, "--embedder needs --preset NAME (one of "
          + Arrays.stream(Preset.values()).map(Preset::cliName).toList() + ")");
    }
    Preset p;
    try {
      p = Preset.fromName(preset);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, "--preset: " + e.getMessage());
    }
    if (output != null && output.isBlank()) {
      throw new CommandLine.ParameterException(cl, "--embedder-output must not be empty");
    }
    if (!Files.isRegularFile(model)) {
      throw new CommandLine.ParameterException(cl, "--embedder: " + (Files.isDirectory(model) ? "is a folder, not a"
          + " file: " : "no such file: ") + model + " (or name " + BUILTIN + " or " + DESCRIPTOR + ")");
    }
    return Optional.of(new Asked(model.toAbsolutePath().normalize(), p, output));
  }

  /**
   * The embedder the options ask for, or the default; for commands that write a single model file
   * (which records the embedder id itself) rather than a store folder.
   *
   * @return the embedder, with its record
   * @throws ModelException when the model is missing or cannot be loaded
   */
  public Choice build() {
    return asked().map(EmbedderOptions::build).orElseGet(EmbedderOptions::defaultEmbedder);
  }

  /**
   * The embedder of a store folder: the recorded one when the folder has a record (the options, if
   * given, must name the same), else the one the options ask for, else the default.
   *
   * @param dir store or model folder (may not exist yet)
   * @return the embedder, with the record to keep beside the store
   * @throws IncompatibleFormatException when the options name another embedder than the record, or
   *     the recorded model file changed
   * @throws ModelException when the model is missing or cannot be loaded
   */
  public Choice open(Path dir) {
    return open(dir, false);
  }

  /**
   * As {@link #open(Path)}, for commands whose new stores default to the shipped encoder.
   *
   * @param dir store or model folder (may not exist yet)
   * @param shippedByDefault whether a new folder without {@code --embedder} gets {@value #BUILTIN}
   *     instead of the descriptor
   * @return the embedder, with the record to keep beside the store
   */
  public Choice open(Path dir, boolean shippedByDefault) {
    Optional<Asked> asked = asked();
    Optional<EmbedderRecord> rec = EmbedderRecord.read(dir);
    if (rec.isEmpty()) {
      if (asked.isEmpty() && shippedByDefault && !descriptorNamed()) {
        return build(new Asked(io.sightline.models.SightlineModels.clipartModelFile(), Preset.SIGHTLINE_CLIPART, null));
      }
      return asked.map(EmbedderOptions::build).orElseGet(EmbedderOptions::defaultEmbedder);
    }
    EmbedderRecord r = rec.get();
    if (descriptorNamed() && !r.isDefault()) {
      throw new IncompatibleFormatException(dir + " was built with " + r.describe() + ", but this command asks for"
          + " --embedder " + DESCRIPTOR + "; leave out --embedder to use the store's, or build a new store");
    }
    if (asked.isPresent()) {
      Asked a = asked.get();
      String hash = hash(a.model());
      EmbedderRecord want = new EmbedderRecord(EmbedderRecord.FORMAT, EmbedderRecord.ONNX, a.model().toString(),
          hash, a.preset().cliName(), a.output(), null, 0, null);
      if (!r.sameEmbedder(want)) {
        throw new IncompatibleFormatException(dir + " was built with " + r.describe() + ", but this command asks for "
            + want.describe() + "; leave out --embedder/--preset/--embedder-output to use the store's, or build a"
            + " new store");
      }
    }
    if (r.isDefault()) {
      Choice c = defaultEmbedder();
      if (!c.embedder().id().equals(r.id())) {
        c.close();
        throw new IncompatibleFormatException(dir + " was built with embedder '" + r.id() + "', but this version's"
            + " default embedder is '" + c.embedder().id() + "'");
      }
      return c;
    }
    Path file = Path.of(r.model());
    if (!Files.isRegularFile(file) && Preset.SIGHTLINE_CLIPART.cliName().equals(r.preset())) {
      // the shipped encoder lives in a cache folder that may have been cleaned: copy it out again
      file = io.sightline.models.SightlineModels.clipartModelFile();
    }
    String askedHash = asked.isPresent() && asked.get().model().equals(file) ? r.sha256() : null;
    if (!Files.isRegularFile(file)) {
      throw new ModelException(dir + " was built with " + r.describe() + ", but that model file is gone; put it back"
          + " at " + file + " or build a new store");
    }
    String now = askedHash != null ? askedHash : hash(file);
    if (!now.equals(r.sha256())) {
      throw new IncompatibleFormatException(dir + " was built with " + r.describe() + ", but " + file
          + " has changed since (sha256 now " + EmbedderRecord.shortHash(now) + "); put the original model back"
          + " or build a new store");
    }
    Preset p;
    try {
      p = Preset.fromName(r.preset());
    } catch (IllegalArgumentException e) {
      throw new IncompatibleFormatException(dir + "/" + EmbedderRecord.FILE_NAME + ": " + e.getMessage());
    }
    Choice c = build(new Asked(file, p, r.output()), now);
    if (!c.embedder().id().equals(r.id())) {
      c.close();
      throw new IncompatibleFormatException(dir + " was built with embedder '" + r.id() + "', but "
          + r.describe() + " now gives '" + c.embedder().id() + "'");
    }
    return c;
  }

  private boolean descriptorNamed() {
    return model != null && DESCRIPTOR.equals(model.toString()) && !Files.exists(model);
  }

  private static String hash(Path file) {
    try {
      return EmbedderRecord.sha256(file);
    } catch (IOException e) {
      throw new ModelException("cannot read ONNX model " + file + ": " + e.getMessage(), e);
    }
  }

  private static Choice build(Asked a) {
    if (!Files.isRegularFile(a.model())) {
      throw new ModelException("ONNX model " + a.model() + " does not exist or is not a file");
    }
    return build(a, hash(a.model()));
  }

  private static Choice build(Asked a, String sha256) {
    OnnxImageEmbedder.Builder b = OnnxImageEmbedder.builder().modelPath(a.model()).preset(a.preset());
    if (a.preset() == Preset.SIGHTLINE_CLIPART) {
      b.l2Normalize(true); // as SightlineModels.clipartImageEmbedder() builds it
    }
    if (a.output() != null) {
      b.outputName(a.output());
    }
    OnnxImageEmbedder e = b.build();
    EmbedderRecord r = new EmbedderRecord(EmbedderRecord.FORMAT, EmbedderRecord.ONNX, a.model().toString(), sha256,
        a.preset().cliName(), a.output(), e.id(), e.dimension(), e.preprocessing());
    return new Choice(e, r);
  }

  private static Choice defaultEmbedder() {
    GlobalDescriptorEmbedder e = new GlobalDescriptorEmbedder();
    return new Choice(e, new EmbedderRecord(EmbedderRecord.FORMAT, EmbedderRecord.DEFAULT, null, null, null, null,
        e.id(), e.dimension(), null));
  }

  /**
   * An embedder with its record. Close it when done (an ONNX embedder holds native memory).
   *
   * @param embedder the embedder
   * @param record what to record beside a store built with it
   */
  public record Choice(ImageEmbedder embedder, EmbedderRecord record) implements AutoCloseable {
    /**
     * Records the embedder in a store folder (atomically; an equal record is left as it is). Call
     * it once the store has been opened with the embedder.
     *
     * @param dir store or model folder
     */
    public void record(Path dir) {
      record.write(dir);
    }

    @Override
    public void close() {
      embedder.close();
    }
  }
}
