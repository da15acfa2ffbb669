using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Dynamic;

/// <summary>
/// A message whose type is known only at run time: a <see cref="MessageSchema"/> and one value per field. Values are
/// primitives as their .NET types (see <see cref="PrimitiveKinds.ClrType"/>), strings, nested <see cref="DynamicMessage"/>s,
/// and typed arrays for <c>T[]</c>, <c>T[&lt;=N]</c> and <c>T[N]</c> (<c>double[]</c>, <c>string[]</c>, <c>DynamicMessage[]</c>).
/// A new message holds the .msg defaults, else zeros, empty strings, empty sequences and zero-filled fixed arrays.
/// </summary>
public sealed class DynamicMessage
{
    private readonly object[] _values;

    public DynamicMessage(MessageSchema schema)
    {
        Schema = schema;
        _values = new object[schema.Fields.Count];
        for (var i = 0; i < _values.Length; i++) _values[i] = DefaultValue(schema.Fields[i]);
    }

    /// <summary>The message type.</summary>
    public MessageSchema Schema { get; }

    /// <summary>The value of field <paramref name="index"/> (wire order). Setting checks the .NET type.</summary>
    public object this[int index]
    {
        get => _values[index];
        set => _values[index] = Check(Schema.Fields[index], value);
    }

    /// <summary>The value of the field named <paramref name="field"/>. Setting checks the .NET type.</summary>
    public object this[string field]
    {
        get => _values[IndexOf(field)];
        set
        {
            var i = IndexOf(field);
            _values[i] = Check(Schema.Fields[i], value);
        }
    }

    /// <summary>The value of <paramref name="field"/> as <typeparamref name="T"/>.</summary>
    public T Get<T>(string field) => (T)this[field];

    /// <summary>The .NET type a value of <paramref name="type"/> must have.</summary>
    public static Type ValueType(FieldType type)
    {
        var element = type.Nested is not null ? typeof(DynamicMessage) : type.Primitive!.Value.ClrType();
        return type.IsCollection ? element.MakeArrayType() : element;
    }

    /// <summary>The value a new message holds for <paramref name="field"/>.</summary>
    public static object DefaultValue(Field field)
    {
        var t = field.Type;
        if (field.DefaultValue is Array array) return array.Clone();
        if (field.DefaultValue is not null) return field.DefaultValue;
        if (t.Nested is { } nested)
        {
            if (!t.IsCollection) return new DynamicMessage(nested);
            var items = new DynamicMessage[t.Collection == CollectionKind.Array ? t.Bound : 0];
            for (var i = 0; i < items.Length; i++) items[i] = new DynamicMessage(nested);
            return items;
        }
        var kind = t.Primitive!.Value;
        if (!t.IsCollection) return kind.ZeroValue();
        return kind.CreateArray(t.Collection == CollectionKind.Array ? t.Bound : 0);
    }

    /// <summary>True when both messages have the same schema and equal values, recursively (floats compared bit for bit, so NaN equals NaN).</summary>
    public bool ContentEquals(DynamicMessage other)
    {
        if (other.Schema != Schema) return false;
        for (var i = 0; i < _values.Length; i++)
            if (!ValueEquals(_values[i], other._values[i])) return false;
        return true;
    }

    /// <summary>A deep copy.</summary>
    public DynamicMessage Clone()
    {
        var copy = new DynamicMessage(Schema);
        for (var i = 0; i < _values.Length; i++) copy._values[i] = CloneValue(_values[i]);
        return copy;
    }

    /// <summary>The message in <c>ros2 topic echo</c> form.</summary>
    public override string ToString() => MessageText.Format(this);

    private int IndexOf(string field)
    {
        var i = Schema.IndexOf(field);
        if (i < 0)
            throw new ArgumentException($"{Schema.FullName} has no field '{field}'; its fields are: {string.Join(", ", Schema.Fields.Select(f => f.Name))}", nameof(field));
        return i;
    }

    private object Check(Field field, object value)
    {
        ArgumentNullException.ThrowIfNull(value, field.Name);
        var expected = ValueType(field.Type);
        if (value.GetType() != expected)
            throw new ArgumentException($"{Schema.FullName}.{field.Name} ({field.Type}) takes a {expected.Name}, not a {value.GetType().Name}", field.Name);
        if (value is DynamicMessage m && m.Schema != field.Type.Nested)
            throw new ArgumentException($"{Schema.FullName}.{field.Name} takes a {field.Type.Nested}, not a {m.Schema}", field.Name);
        return value;
    }

    private static bool ValueEquals(object a, object b) => (a, b) switch
    {
        (DynamicMessage x, DynamicMessage y) => x.ContentEquals(y),
        (double x, double y) => BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y),
        (float x, float y) => BitConverter.SingleToInt32Bits(x) == BitConverter.SingleToInt32Bits(y),
        (Array x, Array y) => x.GetType() == y.GetType() && x.Length == y.Length && Enumerable.Range(0, x.Length).All(i => ValueEquals(x.GetValue(i)!, y.GetValue(i)!)),
        _ => a.Equals(b),
    };

    private static object CloneValue(object value) => value switch
    {
        DynamicMessage m => m.Clone(),
        DynamicMessage[] ms => ms.Select(m => m.Clone()).ToArray(),
        Array a => a.Clone(),
        _ => value,
    };
}
