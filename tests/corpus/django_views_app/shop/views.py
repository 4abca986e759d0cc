"""Function-based views of the shop."""

import logging
import traceback

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required, user_passes_test
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import FileResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from .access import ensure_can_view_invoice, get_order_for_user
from .models import Cart, Invoice, Order, OrderLine, Product
from .pricing import CouponError, apply_coupon_to_cart

logger = logging.getLogger(__name__)
User = get_user_model()


@require_GET
def home(request):
    products = Product.objects.filter(is_active=True).order_by("name")[:24]
    return render(request, "shop/home.html", {"products": products})


@require_GET
def product_detail(request, slug):
    product = get_object_or_404(Product, slug=slug, is_active=True)
    return render(request, "shop/product_detail.html", {"product": product})


@login_required
def order_detail(request, pk):
    order = get_object_or_404(Order, pk=pk, customer=request.user)
    return render(request, "shop/order_detail.html", {"order": order})


@login_required
def order_packing_slip(request, pk):
    order = get_object_or_404(Order.objects.prefetch_related("lines__product"), pk=pk)  # expect: AR102
    return render(request, "shop/packing_slip.html", {"order": order, "lines": order.lines.all()})


@login_required
@require_POST
def cancel_order(request, pk):
    order = get_order_for_user(request.user, pk)
    if order.status not in (Order.Status.PENDING, Order.Status.PAID):
        messages.error(request, "This order has already shipped.")
    else:
        order.status = Order.Status.CANCELLED
        order.save(update_fields=["status"])
        messages.success(request, "Your order was cancelled.")
    return redirect(order)


@login_required
def invoice_download(request, pk):
    invoice = get_object_or_404(Invoice.objects.select_related("order"), pk=pk)
    ensure_can_view_invoice(request.user, invoice)
    return FileResponse(invoice.pdf.open("rb"), as_attachment=True, filename=f"{invoice.number}.pdf")


@permission_required("shop.change_order", raise_exception=True)
@require_POST
def mark_shipped(request, pk):
    order = get_object_or_404(Order, pk=pk)
    order.status = Order.Status.SHIPPED
    order.tracking_number = request.POST["tracking_number"].strip()
    order.save(update_fields=["status", "tracking_number"])
    return redirect("shop:staff-dashboard")


@user_passes_test(lambda u: u.is_staff)
def staff_dashboard(request):
    pending = Order.objects.filter(status=Order.Status.PAID).select_related("customer").order_by("created_at")
    return render(request, "shop/staff_dashboard.html", {"pending": pending})


def cart(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    cart, _ = Cart.objects.get_or_create(user=request.user)
    return render(request, "shop/cart.html", {"cart": cart, "lines": cart.lines.select_related("product")})


@login_required
@require_POST
def checkout(request):
    buyer_id = request.POST.get("user_id") or request.user.pk  # expect: AR104
    buyer = get_object_or_404(User, pk=buyer_id)
    cart = get_object_or_404(Cart, user=request.user)
    with transaction.atomic():
        order = Order.objects.create(customer=buyer, email=buyer.email, total=cart.lines_total(),
                                     shipping_address=buyer.addresses.filter(is_default=True).first())
        for line in cart.lines.select_related("product"):
            OrderLine.objects.create(order=order, product=line.product, quantity=line.quantity,
                                     unit_price=line.product.price)
        cart.lines.all().delete()
    return redirect(order)


def order_search(request):  # expect: AR101
    """Search box of the support team's order lookup page."""
    email = request.GET.get("email", "").strip()
    orders = Order.objects.filter(email__iexact=email).order_by("-created_at") if email else Order.objects.none()
    return render(request, "shop/order_search.html", {"orders": orders, "email": email})


@login_required
@require_POST
def apply_coupon(request):
    cart = get_object_or_404(Cart, user=request.user)
    try:
        discount = apply_coupon_to_cart(cart, request.POST.get("code", ""))
    except CouponError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    except Exception as exc:
        logger.exception("coupon failed for cart %s", cart.pk)
        return JsonResponse({"error": f"Could not apply coupon: {exc}"}, status=500)  # expect: AR603
    return JsonResponse({"discount": str(discount), "total": str(cart.lines_total() - discount)})


def page_not_found(request, exception):
    return render(request, "404.html", {"path": request.path}, status=404)


def server_error(request):
    return HttpResponseServerError(f"<h1>Something went wrong</h1><pre>{traceback.format_exc()}</pre>")  # expect: AR603
