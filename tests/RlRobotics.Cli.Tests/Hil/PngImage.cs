using System.Buffers.Binary;
using System.IO.Compression;

namespace RlRobotics.Cli.Tests.Hil;

/// <summary>
/// A minimal PNG decoder for screenshots: 8-bit RGB or RGBA, not interlaced (what Chromium writes). Enough to count the
/// pixels of a colour; anything else is refused rather than misread.
/// </summary>
sealed class PngImage
{
    public int Width { get; }
    public int Height { get; }
    /// <summary>Row-major, 3 bytes (R, G, B) per pixel; alpha, if any, is dropped.</summary>
    public byte[] Rgb { get; }

    PngImage(int width, int height, byte[] rgb) => (Width, Height, Rgb) = (width, height, rgb);

    public static PngImage Decode(byte[] png)
    {
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (png.Length < 8 || !png.AsSpan(0, 8).SequenceEqual(signature)) throw new InvalidDataException("not a PNG file");
        int width = 0, height = 0, channels = 0;
        var idat = new MemoryStream();
        // Chunks: length (4, big-endian), type (4), data, CRC (4).
        for (var at = 8; at + 8 <= png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                var (depth, colour, interlace) = (data[8], data[9], data[12]);
                channels = colour switch { 2 => 3, 6 => 4, _ => 0 };
                if (depth != 8 || channels == 0 || interlace != 0)
                    throw new NotSupportedException($"PNG bit depth {depth}, colour type {colour}, interlace {interlace}: only 8-bit RGB/RGBA, not interlaced");
            }
            else if (type == "IDAT") idat.Write(data);
            else if (type == "IEND") break;
            at += 12 + length;
        }
        if (channels == 0) throw new InvalidDataException("PNG without IHDR");

        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        var stride = width * channels;
        var raw = new byte[(stride + 1) * height];
        zlib.ReadExactly(raw);

        // Undo each row's filter (PNG spec 9.2): a = left, b = up, c = up-left, in bytes of the same channel.
        var pixels = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var src = raw.AsSpan(y * (stride + 1) + 1, stride);
            var row = pixels.AsSpan(y * stride, stride);
            var up = y > 0 ? pixels.AsSpan((y - 1) * stride, stride) : new byte[stride];
            for (var i = 0; i < stride; i++)
            {
                int a = i >= channels ? row[i - channels] : 0, b = up[i], c = i >= channels ? up[i - channels] : 0;
                row[i] = (byte)(src[i] + filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG filter type {filter} in row {y}"),
                });
            }
        }

        var rgb = new byte[width * height * 3];
        for (var p = 0; p < width * height; p++)
            for (var ch = 0; ch < 3; ch++) rgb[p * 3 + ch] = pixels[p * channels + ch];
        return new PngImage(width, height, rgb);
    }

    static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        var (pa, pb, pc) = (Math.Abs(p - a), Math.Abs(p - b), Math.Abs(p - c));
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>The pixels within <paramref name="tolerance"/> per channel of a colour given as #rrggbb: how many, and their mean row.</summary>
    public (int Count, double MeanY) Find(string hex, int tolerance = 6)
    {
        var (r, g, b) = (Convert.ToInt32(hex[1..3], 16), Convert.ToInt32(hex[3..5], 16), Convert.ToInt32(hex[5..7], 16));
        var (count, sumY) = (0, 0.0);
        for (var p = 0; p < Width * Height; p++)
            if (Math.Abs(Rgb[p * 3] - r) <= tolerance && Math.Abs(Rgb[p * 3 + 1] - g) <= tolerance && Math.Abs(Rgb[p * 3 + 2] - b) <= tolerance)
                (count, sumY) = (count + 1, sumY + p / Width);
        return (count, count > 0 ? sumY / count : double.NaN);
    }
}
