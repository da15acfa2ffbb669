using System.Globalization;
using System.Text;

namespace RlRobotics.Core.Numerics;

/// <summary>
/// A small dense row-major matrix for set-up time math (Riccati equations, gains). It allocates freely;
/// the real-time path uses <see cref="SmallMatrix"/> on preallocated spans instead.
/// </summary>
public sealed class Matrix
{
    public Matrix(int rows, int cols)
    {
        Rows = rows; Cols = cols; Data = new double[rows * cols];
    }

    public Matrix(int rows, int cols, double[] data)
    {
        if (data.Length != rows * cols) throw new ArgumentException("data length must be rows·cols", nameof(data));
        Rows = rows; Cols = cols; Data = data;
    }

    public int Rows { get; }
    public int Cols { get; }
    /// <summary>Row-major storage.</summary>
    public double[] Data { get; }

    public double this[int r, int c]
    {
        get => Data[r * Cols + c];
        set => Data[r * Cols + c] = value;
    }

    public static Matrix Identity(int n)
    {
        var m = new Matrix(n, n);
        for (var i = 0; i < n; i++) m[i, i] = 1;
        return m;
    }

    public static Matrix Diagonal(IReadOnlyList<double> d)
    {
        var m = new Matrix(d.Count, d.Count);
        for (var i = 0; i < d.Count; i++) m[i, i] = d[i];
        return m;
    }

    public Matrix Transpose()
    {
        var t = new Matrix(Cols, Rows);
        for (var i = 0; i < Rows; i++) for (var j = 0; j < Cols; j++) t[j, i] = this[i, j];
        return t;
    }

    public static Matrix operator *(Matrix a, Matrix b)
    {
        if (a.Cols != b.Rows) throw new ArgumentException($"cannot multiply {a.Rows}×{a.Cols} by {b.Rows}×{b.Cols}");
        var c = new Matrix(a.Rows, b.Cols);
        SmallMatrix.Multiply(a.Data, b.Data, c.Data, a.Rows, a.Cols, b.Cols);
        return c;
    }

    public static Matrix operator +(Matrix a, Matrix b) => Combine(a, b, 1);
    public static Matrix operator -(Matrix a, Matrix b) => Combine(a, b, -1);

    public static Matrix operator *(double s, Matrix a)
    {
        var c = new Matrix(a.Rows, a.Cols);
        for (var i = 0; i < a.Data.Length; i++) c.Data[i] = s * a.Data[i];
        return c;
    }

    private static Matrix Combine(Matrix a, Matrix b, double sign)
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols) throw new ArgumentException("matrix shapes differ");
        var c = new Matrix(a.Rows, a.Cols);
        for (var i = 0; i < a.Data.Length; i++) c.Data[i] = a.Data[i] + sign * b.Data[i];
        return c;
    }

    /// <summary>Inverse by Gauss–Jordan elimination with partial pivoting; throws when singular.</summary>
    public Matrix Inverse()
    {
        if (Rows != Cols) throw new InvalidOperationException("only square matrices have inverses");
        var n = Rows;
        var a = (double[])Data.Clone();
        var inv = Identity(n).Data;
        var scale = Data.Select(Math.Abs).DefaultIfEmpty(0).Max();
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < n; r++) if (Math.Abs(a[r * n + col]) > Math.Abs(a[pivot * n + col])) pivot = r;
            if (Math.Abs(a[pivot * n + col]) <= 1e-14 * Math.Max(scale, 1e-300))
                throw new InvalidOperationException("matrix is singular");
            if (pivot != col)
            {
                for (var j = 0; j < n; j++)
                {
                    (a[col * n + j], a[pivot * n + j]) = (a[pivot * n + j], a[col * n + j]);
                    (inv[col * n + j], inv[pivot * n + j]) = (inv[pivot * n + j], inv[col * n + j]);
                }
            }
            var d = a[col * n + col];
            for (var j = 0; j < n; j++) { a[col * n + j] /= d; inv[col * n + j] /= d; }
            for (var r = 0; r < n; r++)
            {
                if (r == col) continue;
                var f = a[r * n + col];
                if (f == 0) continue;
                for (var j = 0; j < n; j++) { a[r * n + j] -= f * a[col * n + j]; inv[r * n + j] -= f * inv[col * n + j]; }
            }
        }
        return new Matrix(n, n, inv);
    }

    /// <summary>Largest absolute element.</summary>
    public double MaxAbs() => Data.Length == 0 ? 0 : Data.Max(Math.Abs);

    public override string ToString()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Rows; i++)
        {
            sb.Append('[');
            for (var j = 0; j < Cols; j++) sb.Append(j > 0 ? ", " : "").Append(this[i, j].ToString("G6", CultureInfo.InvariantCulture));
            sb.AppendLine("]");
        }
        return sb.ToString();
    }
}
