/**
 * `Component` for pages and components that keep instance fields outside `data` (timers, the
 * attempt in flight, a poll handle: state that is not rendered). The fields' type is given once
 * here, and every method, observer and lifetime sees them on `this` — no cast per method.
 *
 *   componentWithFields<CheckoutFields>()({ data: {…}, methods: { onLoad() { this.attempt … } } })
 *
 * (Curried so TypeScript still infers data, properties and methods from the options.)
 */
export function componentWithFields<TFields extends WechatMiniprogram.IAnyObject>() {
  return <
    TData extends WechatMiniprogram.Component.DataOption,
    TProperty extends WechatMiniprogram.Component.PropertyOption,
    TMethod extends WechatMiniprogram.Component.MethodOption,
  >(
    options: WechatMiniprogram.Component.Options<TData, TProperty, TMethod, [], TFields>,
  ): string => Component<TData, TProperty, TMethod, [], TFields>(options);
}
