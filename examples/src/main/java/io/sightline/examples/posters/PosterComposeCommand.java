package io.sightline.examples.posters;

import io.sightline.core.CancellationToken;
import io.sightline.core.image.ImageLoader;
import io.sightline.examples.cli.CliSupport;
import io.sightline.posters.AspectRatio;
import io.sightline.posters.ComposeResult;
import io.sightline.posters.OpenCvSaliency;
import io.sightline.posters.PlacementStrategy;
import io.sightline.posters.Poster;
import io.sightline.posters.PosterComposer;
import io.sightline.posters.PosterTemplate;
import io.sightline.posters.PosterWriter;
import io.sightline.posters.YuNetFaceDetector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sightline poster compose --template T.json [--aspect W:H] --out DIR IMAGE...|VIDEO}: one
 * JSON line per poster: {@code {"image","crop":{"x","y","w","h"},"faces","salient","layers","score","output"}}.
 */
@Command(name = "compose", mixinStandardHelpOptions = true,
    description = "Crop images (or video frames) around faces and the salient subject, add the template's "
        + "layers, score and write posters; prints one JSON line per poster.")
public final class PosterComposeCommand implements Callable<Integer> {
  private static final Set<String> VIDEO_EXT = Set.of("avi", "mp4", "mov", "mkv", "webm", "mpg", "mpeg", "m4v");

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--template", required = true, description = "poster template JSON")
  Path template;

  @Option(names = "--aspect", split = ",", description = "W:H aspect(s) overriding the template's (canvas keeps its "
      + "width); several give one poster each, e.g. 9:16,16:9")
  List<String> aspects;

  @Option(names = "--allowed-root", paramLabel = "DIR",
      description = "folder that image and font paths in the template may point into (default: the input file's own folder; "
          + "paths outside it, absolute or via '..' or symlinks, are refused)")
  Path allowedRoot;

  @Option(names = "--out", required = true, description = "output folder")
  Path out;

  @Option(names = "--format", defaultValue = "png", description = "png or jpeg (default: ${DEFAULT-VALUE})")
  String format;

  @Option(names = "--link", description = "target link bound to every poster (e.g. the video page)")
  String link;

  @Option(names = "--yunet", description = "YuNet face model (ONNX) instead of the bundled Haar cascade")
  Path yunet;

  @Option(names = "--saliency", defaultValue = "spectral",
      description = "spectral or fine-grained (default: ${DEFAULT-VALUE})")
  String saliency;

  @Option(names = "--placement", defaultValue = "avoid",
      description = "floating layers: avoid (faces and subject) or variance (flattest area) (default: ${DEFAULT-VALUE})")
  String placement;

  @Option(names = "--min-score", defaultValue = "0", description = "drop posters scoring below (default: ${DEFAULT-VALUE})")
  double minScore;

  @Option(names = "--min-resolution", description = "drop crops whose width is below this share of the poster's "
      + "width, in (0, 1] (default: the composer's, 0.25); lower it for small photos")
  Double minResolution;

  @Option(names = "--every", defaultValue = "2.0", description = "video: seconds between frames (default: ${DEFAULT-VALUE})")
  double every;

  @Option(names = "--max-frames", defaultValue = "300", description = "video: most frames (default: ${DEFAULT-VALUE})")
  int maxFrames;

  @Option(names = "--keep", defaultValue = "3", description = "video: best posters kept per template (default: ${DEFAULT-VALUE})")
  int keep;

  @Parameters(arity = "1..*", paramLabel = "IMAGE|VIDEO", description = "images, or video files")
  List<Path> inputs;

  @Override
  public Integer call() throws Exception {
    PosterWriter.Format fmt;
    PlacementStrategy strategy;
    try {
      fmt = PosterWriter.Format.parse(format);
      strategy = switch (placement.toLowerCase(Locale.ROOT)) {
        case "avoid" -> PlacementStrategy.AVOID_SUBJECTS;
        case "variance" -> PlacementStrategy.LOWEST_VARIANCE;
        default -> throw new IllegalArgumentException("--placement must be avoid or variance");
      };
      saliency = saliency.toLowerCase(Locale.ROOT);
      if (!saliency.equals("spectral") && !saliency.equals("fine-grained")) {
        throw new IllegalArgumentException("--saliency must be spectral or fine-grained");
      }
      if (aspects != null) {
        aspects.forEach(AspectRatio::parse);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    CliSupport.requireFile(spec, template, "--template");
    CliSupport.requireFile(spec, yunet, "--yunet");
    CliSupport.requireFolder(spec, allowedRoot, "--allowed-root", null);
    if (!(every > 0) || maxFrames < 1 || keep < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--every must be > 0, --max-frames and --keep at least 1");
    }
    if (Double.isNaN(minScore)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--min-score must be a number, got NaN");
    }
    PosterTemplate base = PosterTemplate.load(template, allowedRoot != null ? allowedRoot : template.toAbsolutePath().getParent());
    PosterComposer.Builder b = PosterComposer.builder()
        .saliency(saliency.equals("spectral") ? OpenCvSaliency.spectralResidual() : OpenCvSaliency.fineGrained())
        .placement(strategy)
        .minScore(minScore);
    if (minResolution != null) {
      if (!(minResolution > 0 && minResolution <= 1)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--min-resolution must be in (0, 1]: " + minResolution);
      }
      b.minResolution(minResolution);
    }
    if (aspects == null || aspects.isEmpty()) {
      b.template(base);
    } else {
      for (String a : aspects) {
        b.template(base.withAspect(AspectRatio.parse(a)));
      }
    }
    if (yunet != null) {
      b.targetDetector(YuNetFaceDetector.of(yunet));
    }
    int failures = 0;
    java.util.Set<String> usedNames = new java.util.HashSet<>();
    try (PosterComposer composer = b.build()) {
      for (Path in : inputs) {
        String name = uniqueName(in.getFileName().toString(), usedNames);
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        try {
          ComposeResult r;
          if (VIDEO_EXT.contains(ext)) {
            r = composer.composeVideo(in, link, every, maxFrames, keep, CliSupport.progressBar(),
                CancellationToken.NONE);
          } else {
            r = composer.compose(ImageLoader.defaults().load(in), name, link);
          }
          List<Poster> all = new ArrayList<>(r.kept());
          for (Poster p : all) {
            PosterWriter.Written w = PosterWriter.write(p, out, fmt);
            CliSupport.printJsonLine(PosterWriter.report(p, w.image()));
          }
          if (!VIDEO_EXT.contains(ext)) {
            for (Poster p : r.dropped()) {
              CliSupport.printJsonLine(PosterWriter.report(p, null));
            }
          }
          if (r.kept().isEmpty()) {
            CliSupport.error(name, "no poster passed the thresholds: " + dropReasons(r.dropped()),
                dropHint(r.dropped()));
          }
        } catch (io.sightline.core.SightlineException | OutOfMemoryError e) {
          failures++;
          String why = e instanceof OutOfMemoryError oom ? CliSupport.outOfMemory(oom) : String.valueOf(e.getMessage());
          // reported once, as this input's JSON error line (as every command reports a failed input)
          CliSupport.printJsonLine(Map.of("image", name, "error", why));
        }
      }
    }
    return failures == 0 ? CliSupport.OK : CliSupport.FAILURE;
  }

  /**
   * The input's file name, or {@code name-2.ext}, {@code name-3.ext}... when an earlier input of
   * the same call had that name (a/x.jpg and b/x.jpg would otherwise write the same posters).
   */
  static String uniqueName(String fileName, java.util.Set<String> used) {
    String name = fileName;
    int dot = fileName.lastIndexOf('.');
    String stem = dot > 0 ? fileName.substring(0, dot) : fileName;
    String ext = dot > 0 ? fileName.substring(dot) : "";
    for (int n = 2; !used.add(name.toLowerCase(Locale.ROOT)); n++) {
      name = stem + "-" + n + ext;
    }
    return name;
  }

  /** Why every poster of an image was dropped, in words, with the option that changes it. */
  static String dropReasons(List<Poster> dropped) {
    if (dropped.isEmpty()) {
      return "no template produced a poster";
    }
    StringBuilder sb = new StringBuilder();
    for (Poster p : dropped) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(p.template()).append(": ").append(p.score().reason());
    }
    return sb.toString();
  }

  /** The option that keeps a dropped poster, or null. */
  static String dropHint(List<Poster> dropped) {
    if (dropped.stream().anyMatch(p -> p.score().reason().startsWith("resolution"))) {
      return "--min-resolution 0.1 (the photo is small for the poster)";
    }
    return null;
  }
}
