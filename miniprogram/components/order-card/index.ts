/** One order in a list: description, amount, time, state tag. Emits `select` { outTradeNo } on tap. */
import type { OrderView } from '../../../typings/api';
import { formatFen } from '../../utils/money';
import { formatDateTime, stateView } from '../../utils/order-view';

Component({
  properties: {
    order: { type: Object, value: {} },
  },
  data: {
    amountText: '',
    timeText: '',
    stateLabel: '',
    tagType: 'default',
    label: '',
  },
  observers: {
    order(order: OrderView) {
      if (!order || typeof order.amount !== 'number') return;
      const view = stateView(order.state);
      const amountText = formatFen(order.amount);
      const timeText = formatDateTime(order.createdAt);
      this.setData({
        amountText,
        timeText,
        stateLabel: view.label,
        tagType: view.tag,
        label: `${order.description} ${amountText} ${view.label} ${timeText}`,
      });
    },
  },
  methods: {
    onTap() {
      const order = this.data.order as OrderView;
      if (order && order.outTradeNo) this.triggerEvent('select', { outTradeNo: order.outTradeNo });
    },
  },
});
