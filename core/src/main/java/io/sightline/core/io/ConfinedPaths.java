package io.sightline.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Race-free reading of paths that {@link InputFiles#resolve} confined to an allowed folder.
 *
 * <p>{@code resolve} checks a path when the input file is read; the image is opened later, often
 * by another component. Between the two, a process that can write inside the folder could swap a
 * directory or the file for a symbolic link that leads outside (time-of-check to time-of-use). So
 * {@code resolve} records each path it returns here, with its folder, and
 * {@link io.sightline.core.image.ImageLoader} reads such a path with {@link #readAll}: it walks
 * from the folder one name at a time with {@link SecureDirectoryStream} ({@code openat} with
 * {@code O_NOFOLLOW}), so no symbolic link is ever followed implicitly. A link met on the way is
 * read, its target must lie inside the folder, and the walk restarts from the folder along the
 * target, again without following links: whatever is swapped when, the file opened is reached
 * through real directories inside the folder. (Hard links are not symbolic: a hard link inside
 * the folder is the file.)
 *
 * <p>The record is weak: an entry lives as long as the {@code Path} object that
 * {@code resolve} returned (held, typically, in the record that names the image), and an equal
 * path built elsewhere is read confined too, which is only stricter. Where the file system has no
 * {@link SecureDirectoryStream} (it has on Linux and macOS), the path's real path is checked
 * again just before a plain read, which narrows the window without closing it.
 *
 * <p>Thread-safe.
 */
public final class ConfinedPaths {
  private static final int MAX_LINKS = 40;
  private static final Map<Path, Folder> FOLDERS = Collections.synchronizedMap(new WeakHashMap<>());

  /** The folder a path is confined to: as written (lexical) and its real path at check time. */
  record Folder(Path lexical, Path real) {}

  /** Raised when a confined path leads outside its folder at the time it is opened. */
  public static final class EscapeException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    EscapeException(Path file, String reason) {
      super(file.toString(), null, reason);
    }
  }

  private ConfinedPaths() {}

  static void register(Path resolved, Path lexicalRoot, Path realRoot) {
    FOLDERS.put(resolved, new Folder(lexicalRoot, realRoot));
  }

  /**
   * @param path any path
   * @return whether {@link InputFiles#resolve} returned it (and it is still referenced)
   */
  public static boolean isConfined(Path path) {
    return FOLDERS.containsKey(path);
  }

  /**
   * Reads a file whole, confined to its folder when {@link InputFiles#resolve} returned it, as a
   * plain read otherwise.
   *
   * @param path the file
   * @param maxBytes most bytes to read; a longer file raises {@link TooLargeException}
   * @return the bytes
   * @throws EscapeException when a confined path leads outside its folder now
   * @throws RegularFiles.NotRegularFileException when it is a device, FIFO, socket or folder
   * @throws IOException when reading fails (NoSuchFileException when it is gone)
   */
  public static byte[] readAll(Path path, long maxBytes) throws IOException {
    Folder folder = FOLDERS.get(path);
    if (folder == null) {
      return RegularFiles.readAll(path, maxBytes);
    }
    Path abs = path.toAbsolutePath().normalize();
    Path target = abs.startsWith(folder.lexical()) ? folder.real().resolve(folder.lexical().relativize(abs)) : abs;
    return walk(folder.real(), target, path, maxBytes);
  }

  /** Without SecureDirectoryStream: re-check the real path just before a plain read. */
  private static byte[] recheckedRead(Path root, Path shown, long maxBytes) throws IOException {
    Path real = shown.toRealPath();
    if (!real.startsWith(root)) {
      throw new EscapeException(shown, "now leads to " + real + ", outside the allowed folder " + root);
    }
    RegularFiles.requireRegular(real);
    try (InputStream in = Files.newInputStream(real)) {
      return readBounded(in, maxBytes, shown);
    }
  }

  /** Raised when a file is longer than the caller's budget. */
  public static final class TooLargeException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    TooLargeException(Path file, long maxBytes) {
      super(file.toString(), null, "more than " + maxBytes + " bytes");
    }
  }

  private static byte[] walk(Path root, Path start, Path shown, long maxBytes) throws IOException {
    Path target = start;
    for (int links = 0; links <= MAX_LINKS; links++) {
      if (!target.startsWith(root) || target.equals(root)) {
        throw new EscapeException(shown, "leads to " + target + ", outside the allowed folder " + root);
      }
      List<String> names = new ArrayList<>();
      root.relativize(target).forEach(p -> names.add(p.toString()));
      DirectoryStream<Path> opened = Files.newDirectoryStream(root);
      if (!(opened instanceof SecureDirectoryStream<Path> secure)) {
        opened.close();
        return recheckedRead(root, shown, maxBytes);
      }
      SecureDirectoryStream<Path> dir = secure;
      Path at = root;
      Path next = null;
      try {
        for (int i = 0; i < names.size() && next == null; i++) {
          Path name = at.getFileSystem().getPath(names.get(i));
          boolean last = i == names.size() - 1;
          try {
            if (last && !isLink(dir, name)) {
              // refuse a device, FIFO or socket before opening it: a FIFO would block the open
              BasicFileAttributes attrs = dir.getFileAttributeView(name, BasicFileAttributeView.class,
                  LinkOption.NOFOLLOW_LINKS).readAttributes();
              if (!attrs.isRegularFile()) {
                throw new RegularFiles.NotRegularFileException(shown, attrs.isDirectory() ? "a directory"
                    : RegularFiles.kindOf(at.resolve(name)));
              }
              Set<OpenOption> opts = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
              try (SeekableByteChannel ch = dir.newByteChannel(name, opts)) {
                return readBounded(Channels.newInputStream(ch), maxBytes, shown);
              }
            }
            SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
            dir.close();
            dir = sub;
            at = at.resolve(name);
          } catch (RegularFiles.NotRegularFileException e) {
            throw e;
          } catch (IOException e) {
            if (!isLink(dir, name)) {
              throw e;
            }
            // a symbolic link: follow it by hand, then walk again from the root along its target
            Path link = Files.readSymbolicLink(at.resolve(name));
            Path rest = at.resolve(link);
            for (int j = i + 1; j < names.size(); j++) {
              rest = rest.resolve(names.get(j));
            }
            next = rest.normalize();
          }
        }
      } finally {
        dir.close();
      }
      if (next == null) {
        throw new IOException(shown + ": nothing to read");
      }
      target = next;
    }
    throw new FileSystemException(shown.toString(), null, "more than " + MAX_LINKS + " symbolic links");
  }

  private static boolean isLink(SecureDirectoryStream<Path> dir, Path name) {
    try {
      return dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .readAttributes().isSymbolicLink();
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] readBounded(InputStream in, long maxBytes, Path shown) throws IOException {
    return RegularFiles.readBounded(in, maxBytes, shown);
  }
}
